namespace Descent.Tests;

/// <summary>
/// Tests that count a thread's allocated bytes or compare thread counts run alone, after the parallel ones: the kernels'
/// worker pool serves one caller at a time, and a second caller (another test class running at the same moment) runs
/// its parts on its own thread, where per-thread scratch is then created lazily — bytes a lone training process never
/// allocates in its steady state, but that such a test would count.
/// </summary>
[CollectionDefinition("Threading", DisableParallelization = true)]
public sealed class SerialCollection;
