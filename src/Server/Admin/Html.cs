using System.Globalization;
using System.Net;
using System.Text;

namespace OnDeviceReco.Server.Admin;

/// <summary>
/// The dashboard's page frame and the one way dynamic text enters it: <see cref="E(string?)"/> HTML-encodes
/// everything (model reasons, error messages and any other stored text can hold markup).
/// </summary>
internal static class Html
{
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static string E(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Number(double? value, string format = "0.0000") =>
        value is { } v && double.IsFinite(v) ? E(v.ToString(format, CultureInfo.InvariantCulture)) : "–";

    public static string Time(DateTimeOffset time) => E(time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC");

    public static string Duration(double seconds) =>
        E(seconds < 120 ? string.Create(CultureInfo.InvariantCulture, $"{seconds:0.0} s") : string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0.0} min"));

    /// <summary>A hidden field carrying the session's anti-forgery token; every POST form has one.</summary>
    public static string AntiForgery(string token) => $"""<input type="hidden" name="csrf" value="{E(token)}">""";

    /// <summary>A whole page: header with navigation (and log-out when signed in), then <paramref name="body"/>.</summary>
    public static string Page(string title, string body, string? active = null, string? csrf = null)
    {
        var html = new StringBuilder();
        html.Append($"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{E(title)} · OnDeviceReco</title>
            <style>{Style}</style></head><body>
            <header><strong>OnDeviceReco server</strong>
            """);
        if (csrf is not null)
        {
            html.Append("<nav>");
            foreach (var (path, label) in Navigation)
            {
                string current = label == active ? " aria-current=\"page\"" : "";
                html.Append($"""<a href="{path}"{current}>{E(label)}</a>""");
            }
            html.Append($"""</nav><form method="post" action="/admin/logout" class="logout">{AntiForgery(csrf)}<button type="submit">Log out</button></form>""");
        }
        html.Append($"</header><main><h1>{E(title)}</h1>{body}</main></body></html>");
        return html.ToString();
    }

    private static readonly (string Path, string Label)[] Navigation =
        [("/admin", "Overview"), ("/admin/models", "Models"), ("/admin/retraining", "Retraining"), ("/admin/experiments", "Experiments"), ("/admin/traffic", "Traffic")];

    private const string Style = """
        body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f4f6f9}
        header{display:flex;gap:24px;align-items:center;background:#1d2330;color:#fff;padding:10px 24px}
        header nav{display:flex;gap:16px;flex:1} header a{color:#c9d3e6;text-decoration:none} header a[aria-current]{color:#fff;font-weight:600;border-bottom:2px solid #6aa6ff}
        main{padding:16px 24px;max-width:1100px} h1{font-size:20px;margin:4px 0 16px} h2{font-size:16px;margin:24px 0 8px}
        .cards{display:flex;flex-wrap:wrap;gap:12px} .card{background:#fff;border:1px solid #dde3ec;border-radius:6px;padding:10px 14px;min-width:150px}
        .card b{display:block;font-size:22px} .card span{color:#5b6576;font-size:12px}
        table{border-collapse:collapse;background:#fff;width:100%;border:1px solid #dde3ec} th,td{padding:6px 8px;border-bottom:1px solid #e8ecf2;text-align:left;vertical-align:top}
        th{background:#eef2f7;font-weight:600} td.n{text-align:right;font-variant-numeric:tabular-nums}
        .tag{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px} .ok{background:#dcf3e3;color:#17603a} .no{background:#fde7d9;color:#8a3b0f} .bad{background:#fbdada;color:#8a1414} .serving{background:#dbe8ff;color:#17408a} .catalogue{background:#efe3fb;color:#55218a}
        button{white-space:nowrap;font:inherit;padding:4px 12px;border-radius:4px;border:1px solid #3b6fd1;background:#3b6fd1;color:#fff;cursor:pointer} .secondary{background:#fff;color:#3b6fd1}
        header button{background:transparent;border-color:#6a7893}
        svg{background:#fff;border:1px solid #dde3ec;border-radius:6px;max-width:100%;height:auto}
        .error{background:#fbdada;border:1px solid #e5a3a3;padding:8px 12px;border-radius:4px;color:#8a1414}
        .note{color:#5b6576} form.inline{display:inline} label{display:block;margin:8px 0 4px} input[type=password]{font:inherit;padding:5px 8px;width:320px}
        """;
}
