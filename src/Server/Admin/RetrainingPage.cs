using System.Text;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.Server.Admin;

/// <summary>/admin/retraining: each run — when, how long, how many epochs, candidate against serving, and the decision.</summary>
internal static class RetrainingPage
{
    public static string Render(IReadOnlyList<RetrainingRun> runs, string? lastError, string csrf)
    {
        var rows = new StringBuilder();
        foreach (var run in runs)
        {
            string css = run.Outcome switch { RetrainingRun.Published => "ok", RetrainingRun.KeptBack => "no", _ => "bad" };
            rows.Append($"""
                <tr><td>{Html.Time(run.Started)}</td><td class="n">{Html.Duration(run.Seconds)}</td><td class="n">{run.Epochs}</td>
                <td class="n">{Html.Number(run.CandidateNdcg10)}</td><td class="n">{Html.Number(run.BaselineNdcg10)}</td><td>{Html.E(run.Baseline)}</td>
                <td><span class="tag {css}">{Html.E(OutcomeText(run))}</span></td><td>{Html.E(run.Detail)}</td></tr>
                """);
        }
        return Html.Page("Retraining runs", $"""
            {(lastError is null ? "" : $"<p class=\"error\">Last run failed: {Html.E(lastError)}</p>")}
            <table id="runs"><thead><tr><th>started</th><th>duration</th><th>epochs</th><th>candidate NDCG@10</th><th>serving NDCG@10</th><th>compared with</th><th>outcome</th><th>why</th></tr></thead>
            <tbody>{rows}</tbody></table>
            {(runs.Count == 0 ? "<p class=\"note\">No run yet: the job starts one when enough new events arrive, or from Models → Retrain now.</p>" : "")}
            """, "Retraining", csrf);
    }

    public static string OutcomeText(RetrainingRun run) => run.Outcome switch
    {
        RetrainingRun.Published => $"published v{run.Version}",
        RetrainingRun.KeptBack => $"v{run.Version} kept back",
        _ => "failed",
    };
}
