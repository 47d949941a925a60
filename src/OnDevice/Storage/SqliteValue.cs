namespace OnDeviceReco.Storage;

/// <summary>
/// A value for one statement parameter: an integer, a real, a text or NULL (a null text). Converts implicitly
/// from <see cref="long"/>, <see cref="double"/> and <see cref="string"/>, so calls read
/// <c>database.Execute(sql, userId, count)</c> and nothing is boxed.
/// </summary>
internal readonly struct SqliteValue
{
    private readonly long _integer;
    private readonly double _real;
    private readonly string? _text;
    private readonly Kind _kind;

    private enum Kind : byte
    {
        Text,
        Integer,
        Real,
    }

    private SqliteValue(Kind kind, long integer = 0, double real = 0, string? text = null)
    {
        _kind = kind;
        _integer = integer;
        _real = real;
        _text = text;
    }

    public static implicit operator SqliteValue(long value) => new(Kind.Integer, integer: value);

    public static implicit operator SqliteValue(double value) => new(Kind.Real, real: value);

    public static implicit operator SqliteValue(string? value) => new(Kind.Text, text: value);

    /// <summary>Binds this value to parameter <paramref name="index"/> (from 1) of <paramref name="statement"/>.</summary>
    public void BindTo(SqliteStatement statement, int index)
    {
        switch (_kind)
        {
            case Kind.Integer:
                statement.Bind(index, _integer);
                break;
            case Kind.Real:
                statement.Bind(index, _real);
                break;
            default:
                statement.Bind(index, _text);
                break;
        }
    }
}
