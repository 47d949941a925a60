using System.Globalization;
using System.Text;

namespace OnDeviceReco.Server.Admin;

/// <summary>
/// Charts drawn on the server as inline SVG: no script, no build chain, and they show in a screenshot or a
/// browser with scripts off. Every label goes through <see cref="Html.E(string?)"/>.
/// </summary>
internal static class SvgChart
{
    private const int Width = 720, Height = 260, Left = 60, Right = 16, Top = 34, Bottom = 44;

    /// <summary>A line; <paramref name="Filled"/> per point (hollow points mark, for example, candidates kept back).</summary>
    public sealed record Series(string Name, string Color, IReadOnlyList<double?> Values, IReadOnlyList<bool>? Filled = null);

    public static string Lines(string title, IReadOnlyList<string> xLabels, IReadOnlyList<Series> series, string yFormat = "0.000")
    {
        double max = series.SelectMany(s => s.Values).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(0).Max();
        var svg = Frame(title, xLabels, max, yFormat);
        double legendX = Left;
        for (int s = 0; s < series.Count; s++)
        {
            var line = series[s];
            var points = Enumerable.Range(0, line.Values.Count).Where(i => line.Values[i] is not null)
                .Select(i => (i, X: X(i, xLabels.Count), Y: Y(line.Values[i]!.Value, max))).ToList();
            if (points.Count > 1)
            {
                svg.Append($"""<polyline fill="none" stroke="{line.Color}" stroke-width="2" points="{string.Join(' ', points.Select(p => F(p.X) + "," + F(p.Y)))}"/>""");
            }
            foreach (var (i, x, y) in points)
            {
                bool filled = line.Filled is null || line.Filled[i];
                string value = line.Values[i]!.Value.ToString(yFormat, CultureInfo.InvariantCulture);
                svg.Append($"""<circle cx="{F(x)}" cy="{F(y)}" r="4.5" fill="{(filled ? line.Color : "#fff")}" stroke="{line.Color}" stroke-width="2"><title>{Html.E($"{line.Name} {xLabels[i]}: {value}")}</title></circle>""");
            }
            svg.Append($"""<rect x="{F(legendX)}" y="{Height - 14}" width="12" height="4" fill="{line.Color}"/><text x="{F(legendX + 16)}" y="{Height - 9}" font-size="12" fill="#1d2330">{Html.E(line.Name)}</text>""");
            // No text measuring on the server: 7 px a character is wide enough for the 12 px sans-serif labels.
            legendX += 16 + 7 * line.Name.Length + 20;
        }
        return svg.Append("</svg>").ToString();
    }

    public static string Bars(string title, IReadOnlyList<string> xLabels, IReadOnlyList<double> values, string color, string yFormat = "0")
    {
        double max = values.DefaultIfEmpty(0).Max();
        var svg = Frame(title, xLabels, max, yFormat);
        double slot = (Width - Left - Right) / (double)Math.Max(1, values.Count);
        for (int i = 0; i < values.Count; i++)
        {
            double y = Y(values[i], max);
            string value = values[i].ToString(yFormat, CultureInfo.InvariantCulture);
            svg.Append($"""<rect x="{F(Left + i * slot + slot * 0.1)}" y="{F(y)}" width="{F(slot * 0.8)}" height="{F(Height - Bottom - y)}" fill="{color}"><title>{Html.E($"{xLabels[i]}: {value}")}</title></rect>""");
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>Title, horizontal grid with y labels, x labels (at most about ten, evenly picked).</summary>
    private static StringBuilder Frame(string title, IReadOnlyList<string> xLabels, double max, string yFormat)
    {
        var svg = new StringBuilder();
        svg.Append($"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {Width} {Height}" width="{Width}" height="{Height}" role="img" aria-label="{Html.E(title)}">""");
        svg.Append($"""<text x="{Left}" y="20" font-size="13" font-weight="600" fill="#1d2330">{Html.E(title)}</text>""");
        double top = Scale(max);
        for (int t = 0; t <= 4; t++)
        {
            double value = top * t / 4;
            double y = Y(value, max);
            svg.Append($"""<line x1="{Left}" x2="{Width - Right}" y1="{F(y)}" y2="{F(y)}" stroke="#e3e8ef"/>""");
            svg.Append($"""<text x="{Left - 6}" y="{F(y + 4)}" font-size="11" text-anchor="end" fill="#5b6576">{Html.E(value.ToString(yFormat, CultureInfo.InvariantCulture))}</text>""");
        }
        int step = Math.Max(1, (int)Math.Ceiling(xLabels.Count / 10.0));
        for (int i = 0; i < xLabels.Count; i += step)
        {
            svg.Append($"""<text x="{F(X(i, xLabels.Count))}" y="{Height - Bottom + 16}" font-size="11" text-anchor="middle" fill="#5b6576">{Html.E(xLabels[i])}</text>""");
        }
        if (xLabels.Count == 0)
        {
            svg.Append($"""<text x="{Width / 2}" y="{Height / 2}" font-size="13" text-anchor="middle" fill="#8792a5">no data yet</text>""");
        }
        return svg;
    }

    /// <summary>The top of the y axis: four grid steps of a round size (1, 2, 2.5 or 5 × 10ⁿ) covering <paramref name="max"/>.</summary>
    private static double Scale(double max)
    {
        if (max <= 0)
        {
            return 1;
        }
        double raw = max / 4;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        return step * 4;
    }

    private static double Y(double value, double max) => Height - Bottom - value / Scale(max) * (Height - Top - Bottom);

    /// <summary>Centre of slot <paramref name="i"/> of <paramref name="n"/> (bars and points line up).</summary>
    private static double X(int i, int n) => Left + (i + 0.5) * (Width - Left - Right) / Math.Max(1, n);

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
