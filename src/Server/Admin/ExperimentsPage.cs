using System.Globalization;
using System.Text;
using OnDeviceReco.Feedback;
using OnDeviceReco.Server.Experiments;

namespace OnDeviceReco.Server.Admin;

/// <summary>
/// /admin/experiments: per experiment, its arms, the latest look (take rate, plays per request, coverage, devices per
/// arm, each treatment's difference from the control with its fixed and always-valid intervals), a chart of the take
/// rate of every arm over the looks, every decision with who took it, and buttons to decide by hand on the whole
/// experiment or one treatment (which reverses an automatic decision).
/// </summary>
internal static class ExperimentsPage
{
    public static string Render(IReadOnlyList<ExperimentDefinition> experiments, Func<string, IReadOnlyList<ExperimentEvaluation>> looks,
        Func<string, IReadOnlyList<ExperimentDecision>> decisions, string csrf, string? notice)
    {
        var body = new StringBuilder();
        if (notice is not null)
        {
            body.Append($"<p class=\"note\">{Html.E(notice)}</p>");
        }
        if (experiments.Count == 0)
        {
            body.Append("<p class=\"note\">No experiment yet: a version published while another serves is tried on a share of devices first (Reco:Experiments:NewVersionShare).</p>");
        }
        foreach (var experiment in experiments.Reverse())
        {
            var seen = looks(experiment.Id);
            body.Append($"""
                <h2 id="{Html.E(experiment.Id)}">{Html.E(experiment.Id)} <span class="tag {Css(experiment.Status)}">{Html.E(experiment.Status)}</span></h2>
                <p>control v{experiment.ControlVersion}; {string.Join(", ", experiment.Treatments.Select(t => $"{Html.E(t.Name)} v{t.Version} on {Html.E(t.Share.ToString("P0", CultureInfo.InvariantCulture))} of devices <span class=\"tag {Css(t.Status)}\">{Html.E(t.Status)}</span>"))}; started {Html.Time(experiment.StartedAt)}</p>
                """);
            if (seen.Count > 0)
            {
                var last = seen[^1];
                body.Append($"""
                    <table><thead><tr><th>arm</th><th>version</th><th>devices</th><th>impressions</th><th>take rate</th><th>± s.e.</th><th>plays per request</th><th>coverage</th></tr></thead><tbody>
                    {Row(last.Control)}{string.Concat(last.Comparisons.Select(c => Row(c.Treatment)))}</tbody></table>
                    <table><thead><tr><th>arm</th><th>− control</th><th>95 % interval</th><th>always-valid interval</th><th>α</th><th>decision</th><th>why</th></tr></thead><tbody>
                    {string.Concat(last.Comparisons.Select(Comparison))}</tbody></table>
                    <p>At {Html.Time(last.At)}: <b>{Html.E(last.Decision)}</b> — {Html.E(last.Reason)}</p>
                    """);
                var series = new List<SvgChart.Series> { new($"control v{experiment.ControlVersion}", Colours[0], [.. seen.Select(l => (double?)l.Control.TakeRate)]) };
                series.AddRange(experiment.Treatments.Select((t, i) => new SvgChart.Series($"{t.Name} v{t.Version}", Colours[(i + 1) % Colours.Length],
                    [.. seen.Select(l => l.Comparisons.FirstOrDefault(c => c.Treatment.Arm == t.Name)?.Treatment.TakeRate)])));
                body.Append(SvgChart.Lines($"Take rate by arm, {experiment.Id}", [.. seen.Select(l => l.At.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture))],
                    series, "0.0000"));
            }
            else
            {
                body.Append("<p class=\"note\">Not looked at yet on this node.</p>");
            }
            var log = decisions(experiment.Id);
            if (log.Count > 0)
            {
                body.Append("<table><thead><tr><th>when</th><th>decision</th><th>by</th><th>why</th></tr></thead><tbody>");
                foreach (var decision in log)
                {
                    body.Append($"<tr><td>{Html.Time(decision.At)}</td><td>{Html.E(decision.Decision)}</td><td>{Html.E(decision.Actor)}</td><td>{Html.E(decision.Detail)}</td></tr>");
                }
                body.Append("</tbody></table>");
            }
            body.Append("<p>Whole experiment: ");
            foreach (string decision in (string[])[ExperimentBook.Promote, ExperimentBook.Rollback, ExperimentBook.Continue])
            {
                if (decision != ExperimentBook.Promote || experiment.Treatments.Count == 1)
                {
                    body.Append(Button(experiment.Id, decision, arm: null, csrf));
                }
            }
            body.Append("</p>");
            if (experiment.Treatments.Count > 1)
            {
                foreach (var treatment in experiment.Treatments)
                {
                    body.Append($"<p>{Html.E(treatment.Name)}: ");
                    foreach (string decision in (string[])[ExperimentBook.Promote, ExperimentBook.Rollback, ExperimentBook.Continue])
                    {
                        body.Append(Button(experiment.Id, decision, treatment.Name, csrf));
                    }
                    body.Append("</p>");
                }
            }
        }
        return Html.Page("Experiments", body.ToString(), "Experiments", csrf);
    }

    private static readonly string[] Colours = ["#3b6fd1", "#d1693b", "#3ba55d", "#9b59b6", "#c0392b", "#7f8c8d"];

    private static string Css(string status) => status switch
    {
        ExperimentDefinition.Running => "serving",
        ExperimentDefinition.Promoted => "ok",
        ExperimentDefinition.RolledBack => "bad",
        _ => "no",
    };

    private static string Button(string experiment, string decision, string? arm, string csrf) => $"""
        <form method="post" action="/admin/experiments/{Uri.EscapeDataString(experiment)}/decision" class="inline">{Html.AntiForgery(csrf)}
        <input type="hidden" name="decision" value="{decision}">{(arm is null ? "" : $"<input type=\"hidden\" name=\"arm\" value=\"{Html.E(arm)}\">")}<button type="submit" class="secondary">{Html.E(decision)}</button></form>
        """;

    private static string Comparison(ArmComparison c) => $"""
        <tr><td>{Html.E(c.Treatment.Arm)}</td><td class="n">{Html.Number(c.Difference, "+0.00000;-0.00000")}</td>
        <td class="n">[{Html.Number(c.Ci95Low, "0.00000")}, {Html.Number(c.Ci95High, "0.00000")}]</td>
        <td class="n">[{Html.Number(c.SequentialLow, "0.00000")}, {Html.Number(c.SequentialHigh, "0.00000")}]</td>
        <td class="n">{Html.Number(c.Alpha, "0.###")}</td><td>{Html.E(c.Decision)}</td><td>{Html.E(c.Reason)}</td></tr>
        """;

    private static string Row(ArmResult arm) => $"""
        <tr><td>{Html.E(arm.Arm)}</td><td class="n">v{arm.Version}</td><td class="n">{Html.E(arm.Devices)}</td><td class="n">{Html.E(arm.Impressions)}</td>
        <td class="n">{Html.Number(arm.TakeRate, "0.00000")}</td><td class="n">{Html.Number(arm.TakeRateStdError, "0.00000")}</td>
        <td class="n">{Html.Number(arm.PlaysPerRequest, "0.000")}</td><td class="n">{Html.Number(arm.Coverage, "0.0%")}</td></tr>
        """;
}
