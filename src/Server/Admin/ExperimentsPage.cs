using System.Globalization;
using System.Text;
using OnDeviceReco.Feedback;
using OnDeviceReco.Server.Experiments;

namespace OnDeviceReco.Server.Admin;

/// <summary>
/// /admin/experiments: per experiment, its arms, the latest look (take rate, plays per request, coverage, devices per
/// arm, the difference with its fixed and always-valid intervals), a chart of the take rate per arm over the looks,
/// every decision with who took it, and buttons to decide by hand (which reverses an automatic decision).
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
            string css = experiment.Status switch { ExperimentDefinition.Running => "serving", ExperimentDefinition.Promoted => "ok", ExperimentDefinition.RolledBack => "bad", _ => "no" };
            body.Append($"""
                <h2 id="{Html.E(experiment.Id)}">{Html.E(experiment.Id)} <span class="tag {css}">{Html.E(experiment.Status)}</span></h2>
                <p>control v{experiment.ControlVersion}, treatment v{experiment.TreatmentVersion} on {Html.E(experiment.TreatmentShare.ToString("P0", CultureInfo.InvariantCulture))} of devices; started {Html.Time(experiment.StartedAt)}</p>
                """);
            if (seen.Count > 0)
            {
                var last = seen[^1];
                body.Append($"""
                    <table><thead><tr><th>arm</th><th>version</th><th>devices</th><th>impressions</th><th>take rate</th><th>± s.e.</th><th>plays per request</th><th>coverage</th></tr></thead><tbody>
                    {Row(last.Control)}{Row(last.Treatment)}</tbody></table>
                    <p>Treatment − control: <b>{Html.Number(last.Difference, "+0.00000;-0.00000")}</b>, 95 % interval [{Html.Number(last.Ci95Low, "0.00000")}, {Html.Number(last.Ci95High, "0.00000")}],
                    always-valid [{Html.Number(last.SequentialLow, "0.00000")}, {Html.Number(last.SequentialHigh, "0.00000")}] at {Html.Time(last.At)}: {Html.E(last.Decision)} — {Html.E(last.Reason)}</p>
                    """);
                body.Append(SvgChart.Lines($"Take rate by arm, {experiment.Id}", [.. seen.Select(l => l.At.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture))],
                [
                    new SvgChart.Series($"control v{experiment.ControlVersion}", "#3b6fd1", [.. seen.Select(l => (double?)l.Control.TakeRate)]),
                    new SvgChart.Series($"treatment v{experiment.TreatmentVersion}", "#d1693b", [.. seen.Select(l => (double?)l.Treatment.TakeRate)]),
                ], "0.0000"));
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
            body.Append("<p>");
            foreach (string decision in (string[])[ExperimentBook.Promote, ExperimentBook.Rollback, ExperimentBook.Continue])
            {
                body.Append($"""
                    <form method="post" action="/admin/experiments/{Uri.EscapeDataString(experiment.Id)}/decision" class="inline">{Html.AntiForgery(csrf)}
                    <input type="hidden" name="decision" value="{decision}"><button type="submit" class="secondary">{Html.E(decision)}</button></form>
                    """);
            }
            body.Append("</p>");
        }
        return Html.Page("Experiments", body.ToString(), "Experiments", csrf);
    }

    private static string Row(ArmResult arm) => $"""
        <tr><td>{Html.E(arm.Arm)}</td><td class="n">v{arm.Version}</td><td class="n">{Html.E(arm.Devices)}</td><td class="n">{Html.E(arm.Impressions)}</td>
        <td class="n">{Html.Number(arm.TakeRate, "0.00000")}</td><td class="n">{Html.Number(arm.TakeRateStdError, "0.00000")}</td>
        <td class="n">{Html.Number(arm.PlaysPerRequest, "0.000")}</td><td class="n">{Html.Number(arm.Coverage, "0.0%")}</td></tr>
        """;
}
