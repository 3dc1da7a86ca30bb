namespace Descent.Plotting;

/// <summary>
/// One section of the report page: one run of one experiment, placed under its chapter of the notes.
/// </summary>
/// <param name="Id">Key of the section (a run with other options gets its own id, so runs never mix).</param>
/// <param name="Chapter">Chapter of the notes, e.g. "1 Gradient descent" (sections are ordered by it).</param>
/// <param name="Title">Heading of the section.</param>
/// <param name="Formula">The formula the experiment is about, in plain Unicode.</param>
/// <param name="Lesson">What the notes teach from it and what the figures show, in two or three sentences.</param>
/// <param name="Command">The exact command that reproduces the section.</param>
/// <param name="Table">The terminal table, as plain text.</param>
internal sealed record ReportSection(string Id, string Chapter, string Title, string Formula, string Lesson, string Command, string Table);
