using System.Globalization;
using System.Text.RegularExpressions;
using OnDeviceReco.Protocol.Events;

namespace OnDeviceReco.Tests.NativeAbi;

/// <summary>
/// Numbers the C header restates from the managed SDK stay equal to it. The header names each default or limit
/// it states as "Class.Member = value" (e.g. "0 = default, StoreOptions.MaxRows = 500,000"); the C library reads
/// those defaults from the same options classes (ClientConfig in src/NativeExports), so only the header's text could
/// drift, and this test catches it. The ODR_* constants the exports cast to managed enums are checked the same way.
/// </summary>
public sealed partial class HeaderValuesTests
{
    private static readonly StoreOptions Store = new() { DatabasePath = "unused" };
    private static readonly InferenceOptions Inference = new();
    private static readonly SyncOptions Sync = new() { ServerUri = new Uri("http://unused/"), ApiKey = "unused" };

    /// <summary>Every name the header may cite, with the managed value it must state.</summary>
    private static readonly Dictionary<string, object> Managed = new()
    {
        ["StoreOptions.MaxRows"] = Store.MaxRows,
        ["StoreOptions.FlushInterval"] = Store.FlushInterval,
        ["StoreOptions.ProfileWindow"] = Store.ProfileWindow,
        ["StoreOptions.SessionGap"] = Store.SessionGap,
        ["InferenceOptions.IntraOpThreads"] = Inference.IntraOpThreads,
        ["SyncOptions.MaxAttempts"] = Sync.MaxAttempts,
        ["RecoClient.MaxRecommendations"] = RecoClient.MaxRecommendations,
        ["RecoClient.MaxOnboardingItems"] = RecoClient.MaxOnboardingItems,
    };

    private readonly CHeader _header = CHeader.Load();

    [Fact]
    public void Every_cited_value_is_the_managed_one()
    {
        var cited = Citation().Matches(_header.Prose).ToList();
        Assert.NotEmpty(cited);
        foreach (Match m in cited)
        {
            string name = m.Groups["name"].Value;
            Assert.True(Managed.TryGetValue(name, out var expected), $"The header cites {name}, which this test does not know: add it to Managed.");
            object stated = Parse(m.Groups["value"].Value, expected);
            Assert.True(Equals(expected, stated), $"The header states {name} = {m.Groups["value"].Value}; the SDK's value is {expected}.");
        }
        var missing = Managed.Keys.Except(cited.Select(m => m.Groups["name"].Value)).ToList();
        Assert.True(missing.Count == 0, $"No longer cited by the header: [{string.Join(", ", missing)}] (remove them here if that is intended).");
    }

    [Fact]
    public void Every_stated_default_names_its_source()
    {
        // A zero that means "the default" must say which managed default, so the value above is checked.
        var bare = BareDefault().Matches(_header.Prose).Select(m => m.Value).ToList();
        Assert.True(bare.Count == 0, $"Defaults stated without their source (write \"0 = default, Class.Member = value\"): [{string.Join("; ", bare)}]");
    }

    [Fact]
    public void Limits_are_the_managed_ones()
    {
        Assert.Equal(InputLimits.MaxIdBytes, _header.Constants["ODR_MAX_ID_BYTES"]);
        Assert.Equal(InputLimits.MaxAttributeKeyBytes, _header.Constants["ODR_MAX_ATTRIBUTE_KEY_BYTES"]);
        Assert.Equal(InputLimits.MaxAttributeValueBytes, _header.Constants["ODR_MAX_ATTRIBUTE_VALUE_BYTES"]);
        Assert.Equal(InputLimits.MaxUserAttributes, _header.Constants["ODR_MAX_USER_ATTRIBUTES"]);
    }

    [Theory]
    [InlineData("ODR_EVENT_", typeof(EventType))]
    [InlineData("ODR_CONSENT_", typeof(ConsentState))]
    [InlineData("ODR_SOURCE_", typeof(RecommendationSource))]
    [InlineData("ODR_SYNC_", typeof(SyncStatus))]
    [InlineData("ODR_ANSWER_", typeof(OnboardingAnswer))]
    [InlineData("ODR_SYNCED_CONTEXT_", typeof(SyncedContext))]
    [InlineData("ODR_SYNCED_TIME_", typeof(TimePrecision))]
    public void Enum_constants_are_the_managed_values(string prefix, Type enumType)
    {
        var constants = _header.Constants.Where(c => c.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(constants);
        foreach (var (name, value) in constants)
        {
            // ODR_EVENT_STORE_VISIT is EventType.StoreVisit.
            string member = string.Concat(name[prefix.Length..].Split('_').Select(w => w[0] + w[1..].ToLowerInvariant()));
            Assert.True(Enum.TryParse(enumType, member, out var managed), $"{name}: {enumType.Name} has no member {member}.");
            Assert.True(Convert.ToInt64(managed, CultureInfo.InvariantCulture) == value, $"{name} is {value}; {enumType.Name}.{member} is {Convert.ToInt64(managed, CultureInfo.InvariantCulture)}.");
        }
    }

    private static object Parse(string text, object expected)
    {
        var m = Quantity().Match(text);
        double number = double.Parse(m.Groups["number"].Value.Replace(",", ""), CultureInfo.InvariantCulture);
        return expected switch
        {
            TimeSpan => m.Groups["unit"].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" => TimeSpan.FromSeconds(number),
                "minutes" => TimeSpan.FromMinutes(number),
                "days" => TimeSpan.FromDays(number),
                var unit => throw new FormatException($"'{text}' has no unit of time (ms, s, minutes, days), found '{unit}'."),
            },
            long => (long)number,
            int => (int)number,
            _ => throw new FormatException($"Unexpected managed type {expected.GetType()}."),
        };
    }

    [GeneratedRegex(@"\b(?<name>[A-Z]\w*\.[A-Z]\w*) = (?<value>\d[\d,]*(?: (?:ms|s|minutes|days)\b)?)")]
    private static partial Regex Citation();

    [GeneratedRegex(@"^(?<number>\d[\d,]*)(?: (?<unit>\w+))?$")]
    private static partial Regex Quantity();

    [GeneratedRegex(@"\bdefault\b(?!, [A-Z]\w*\.[A-Z]\w* = )[^.;*]{0,20}\(\d[^)]*\)")]
    private static partial Regex BareDefault();
}
