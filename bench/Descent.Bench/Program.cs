using BenchmarkDotNet.Running;

// Kernel micro-benchmarks (BenchmarkDotNet, with the memory diagnoser: every kernel should show 0 B allocated).
// Run: dotnet run -c Release --project bench/Descent.Bench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Descent.Bench.GemmBenchmarks).Assembly).Run(args);
