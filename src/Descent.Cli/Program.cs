using System.CommandLine;
using System.CommandLine.Help;
using Descent.Cli;
using Descent.Cli.Commands;

// The `descent` command: one file per subcommand in Commands/.
// Under mpirun a rank's stdout is mpirun's pseudo-terminal whatever mpirun's own stdout is: plain text, no terminal codes.
if (Descent.Distributed.Mpi.UnderMpirun) Environment.SetEnvironmentVariable("TERM", "dumb");
Spectre.Console.AnsiConsole.Profile.Capabilities.Ansi = !CliApp.Piped;
var root = new Command("descent", "Descent — deep learning from first principles, in pure C#.\nRun `descent <command> --help` for a command's options.");
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(PredictCommand.Create());
root.Subcommands.Add(GradCheckCommand.Create());
root.Subcommands.Add(LabCommand.Create());
root.Subcommands.Add(TuneCommand.Create());
root.Subcommands.Add(RunsCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Options.Add(new HelpOption());
root.Options.Add(new VersionOption());
return CliApp.Invoke(root, args);
