using System.Globalization;
using nietras.SeparatedValues;

namespace OnDeviceReco.Trainer.Data;

/// <summary>
/// A plain interactions file, so a studio can evaluate and train on its own logs: one event per row with user,
/// item, timestamp and optionally type and value. Comma- or tab-separated (a tab in the first row means TSV),
/// fields may be quoted. A header is recognised by its column names (user/user_id, item/item_id, timestamp/time/ts,
/// type/event_type, value/rating) and may order the columns freely; without one the columns are positional.
/// Timestamps are integers in one unit for the whole file (only their order matters) or ISO 8601 date-times.
/// Types are built-in names (view, click, play, purchase, rate, dwell, impression, dismiss) or numbers; an absent or
/// empty type is a rating. Every bad row stops the load with the file and line named.
/// </summary>
public sealed class InteractionFileSource(string path) : IInteractionSource
{
    private const EventType DefaultType = EventType.Rate;

    private static readonly string[][] ColumnNames =
    [
        ["user", "user_id", "userid"],
        ["item", "item_id", "itemid", "movieid", "movie_id"],
        ["timestamp", "time", "ts", "ts_ms", "time_ms"],
        ["type", "event_type", "event"],
        ["value", "rating"],
    ];

    private static readonly string[] ColumnLabels = ["user", "item", "timestamp", "type", "value"];

    private readonly record struct Row(string User, string Item, long Time, EventType Type);

    public InteractionData Load()
    {
        var rows = ReadRows();
        if (rows.Count == 0)
        {
            throw new DataFormatException($"{path}: holds no interactions.");
        }
        // Stable: events at the same time keep file order.
        var sequences = new UserSequenceBuilder(new ItemVocabulary());
        foreach (var row in rows.OrderBy(r => r.User, StringComparer.Ordinal).ThenBy(r => r.Time))
        {
            sequences.Add(row.User, row.Item, row.Type, row.Time);
        }
        return sequences.Build(Path.GetFileNameWithoutExtension(path));
    }

    private List<Row> ReadRows()
    {
        var rows = new List<Row>();
        using var reader = Open();
        int[]? columns = null;
        bool? isoTimes = null;
        foreach (var row in reader)
        {
            // Sep 0.17 reports the first row of a header-less read as line 2; it is line 1.
            int line = row.RowIndex == 0 ? 1 : row.LineNumberFrom;
            if (row.ColCount == 1 && row[0].Span.IsWhiteSpace())
            {
                continue;
            }
            if (columns is null)
            {
                columns = HeaderColumns(row, line);
                if (columns is not null)
                {
                    continue;
                }
                columns = [0, 1, 2, 3, 4];
            }
            var fields = new string[row.ColCount];
            for (int i = 0; i < fields.Length; i++)
            {
                fields[i] = row[i].ToString().Trim();
            }
            string Field(int column) => columns[column] < fields.Length ? fields[columns[column]] : "";
            for (int required = 0; required < 3; required++)
            {
                if (columns[required] >= fields.Length)
                {
                    throw Error(line, $"missing column '{ColumnLabels[required]}' (the row has {fields.Length} field{(fields.Length == 1 ? "" : "s")}; expected user, item, timestamp[, type[, value]]).");
                }
            }
            string user = Field(0), item = Field(1);
            if (user.Length == 0 || item.Length == 0)
            {
                throw Error(line, $"blank {(user.Length == 0 ? "user" : "item")} id.");
            }
            long time = ParseTime(Field(2), line, ref isoTimes);
            var type = ParseType(Field(3), line);
            ParseValue(Field(4), line);
            rows.Add(new Row(user, item, time, type));
        }
        return rows;
    }

    private SepReader Open()
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException($"Data file '{path}' does not exist.");
        }
        string first = File.ReadLines(path).FirstOrDefault(l => !string.IsNullOrWhiteSpace(l)) ?? "";
        char separator = first.Contains('\t', StringComparison.Ordinal) ? '\t' : ',';
        return Sep.Reader(o => o with { Sep = new Sep(separator), HasHeader = false, Unescape = true, DisableColCountCheck = true }).FromFile(path);
    }

    /// <summary>Column positions when the row is a header (names it recognises), else null.</summary>
    private int[]? HeaderColumns(SepReader.Row row, int line)
    {
        var columns = new int[] { -1, -1, -1, -1, -1 };
        bool named = false;
        for (int i = 0; i < row.ColCount; i++)
        {
            string name = row[i].ToString().Trim().ToLowerInvariant();
            int column = Array.FindIndex(ColumnNames, names => names.Contains(name));
            if (column >= 0)
            {
                columns[column] = i;
                named = true;
            }
        }
        if (!named)
        {
            return null;
        }
        for (int required = 0; required < 3; required++)
        {
            if (columns[required] < 0)
            {
                throw Error(line, $"the header has no '{ColumnLabels[required]}' column (accepted names: {string.Join(", ", ColumnNames[required])}).");
            }
        }
        // Optional columns the header does not name are read as empty.
        return columns.Select(c => c < 0 ? int.MaxValue : c).ToArray();
    }

    private long ParseTime(string text, int line, ref bool? isoTimes)
    {
        bool iso;
        long time;
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out time))
        {
            iso = false;
        }
        else if (text.Length >= 10 && char.IsAsciiDigit(text[0])
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            iso = true;
            time = date.ToUnixTimeMilliseconds();
        }
        else
        {
            throw Error(line, $"'{text}' is not a timestamp (an integer or an ISO 8601 date-time).");
        }
        if (isoTimes is { } earlier && earlier != iso)
        {
            throw Error(line, "mixes integer and ISO 8601 timestamps; their order could not be compared.");
        }
        isoTimes = iso;
        return time;
    }

    private EventType ParseType(string text, int line)
    {
        if (text.Length == 0)
        {
            return DefaultType;
        }
        EventType type = 0;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number))
        {
            type = (EventType)number;
        }
        else if (text.All(char.IsAsciiLetter) && Enum.TryParse(text, ignoreCase: true, out EventType named))
        {
            type = named;
        }
        return EventTypes.IsValid(type)
            ? type
            : throw Error(line, $"unknown event type '{text}' (view, click, play, purchase, rate, dwell, impression, dismiss, search, storevisit, or {EventTypes.AppDefinedFirst}–{EventTypes.AppDefinedLast}).");
    }

    private void ParseValue(string text, int line)
    {
        if (text.Length == 0)
        {
            return;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            throw Error(line, $"value '{text}' is not a finite number.");
        }
    }

    private DataFormatException Error(int line, string message) => new($"{path}:{line}: {message}");
}
