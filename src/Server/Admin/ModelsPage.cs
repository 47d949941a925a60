using System.Text;

namespace OnDeviceReco.Server.Admin;

/// <summary>/admin/models: every version with its gate metrics, which one serves, and the way to serve another.</summary>
internal static class ModelsPage
{
    public static string Render(IReadOnlyList<ModelView> models, long? serving, string csrf, string? notice = null, string? catalogueProblem = null)
    {
        var rows = new StringBuilder();
        foreach (var m in models.Reverse())
        {
            string state = m.Version == serving ? "<span class=\"tag serving\">serving</span>"
                : m.Published ? "<span class=\"tag ok\">published</span>" : "<span class=\"tag no\">kept back</span>";
            if (m.CatalogueText is { } catalogue)
            {
                state += $" <span class=\"tag catalogue\" id=\"catalogue-v{m.Version}\">{Html.E(catalogue)}</span>";
            }
            string action = m.Published && m.Version != serving
                ? $"""<a href="/admin/models/{m.Version}/serve" id="serve-v{m.Version}"><button type="button" class="secondary">Serve v{m.Version}…</button></a>"""
                : "";
            rows.Append($"""
                <tr id="model-v{m.Version}"><td>v{m.Version}</td><td>{Html.Time(m.CreatedAt)}</td><td>{state}</td>
                <td class="n">{Html.Number(m.Ndcg10)}</td><td class="n">{Html.Number(m.BaselineNdcg10)}</td><td class="n">{Html.Number(m.HitRate10)}</td>
                <td class="n" title="user-level differential privacy of the training run">{Privacy(m)}</td><td>{Html.E(m.Reason)}</td><td>{action}</td></tr>
                """);
        }
        return Html.Page("Models", $"""
            {(notice is null ? "" : $"<p class=\"card\" id=\"notice\">{Html.E(notice)}</p>")}
            {(catalogueProblem is null ? "" : $"<p class=\"card\" id=\"catalogue-problem\">Catalogue items wait: {Html.E(catalogueProblem)}</p>")}
            {ModelView.Chart(models)}
            <h2>Versions</h2>
            <table><thead><tr><th>version</th><th>trained</th><th>state</th><th>NDCG@10</th><th>compared with</th><th>HR@10</th><th>user-level DP</th><th>gate decision</th><th></th></tr></thead>
            <tbody>{rows}</tbody></table>
            <h2>Retrain</h2>
            <form method="post" action="/admin/retrain" class="inline">{Html.AntiForgery(csrf)}<button type="submit" id="retrain-now">Retrain now</button></form>
            <span class="note">Starts a run whatever the new-event threshold says; the gate still decides whether it ships.</span>
            """, "Models", csrf);
    }

    /// <summary>"ε 7.98 (δ 1.5e-03)" for a privately trained version, "off" otherwise.</summary>
    private static string Privacy(ModelView m) => m.Epsilon is { } epsilon
        ? Html.E(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ε {epsilon:0.00} (δ {m.Delta:0.0e+00})"))
        : "off";

    /// <summary>The confirmation step before a version is served to every device (no script needed for it).</summary>
    public static string Confirm(ModelView model, long? serving, string csrf) => Html.Page($"Serve v{model.Version}?", $"""
        <p>Every device will be offered <b>v{model.Version}</b> (trained {Html.Time(model.CreatedAt)}, NDCG@10 {Html.Number(model.Ndcg10)})
        on its next sync{(serving is { } s ? $", replacing v{s}" : "")}.</p>
        <form method="post" action="/admin/models/{model.Version}/serve" class="inline">{Html.AntiForgery(csrf)}
          <button type="submit" id="confirm-serve">Yes, serve v{model.Version}</button></form>
        <a href="/admin/models"><button type="button" class="secondary">Cancel</button></a>
        """, "Models", csrf);
}
