namespace OnDeviceReco.Protocol;

/// <summary>The fixed names inside a bundle directory, and the rule for the names a manifest may list.</summary>
public static class BundleFileNames
{
    /// <summary>The ONNX model every bundle carries.</summary>
    public const string Model = "model.onnx";

    /// <summary>The signed manifest.</summary>
    public const string Manifest = "manifest.json";

    /// <summary>
    /// Optional: the model's item table as little-endian float32 [items + 1, embedding dimension], row 0 the
    /// padding row. Devices use it for item-to-item similarity (diversity, explanations).
    /// </summary>
    public const string ItemEmbeddings = "item_embeddings.f32";

    /// <summary>
    /// Optional: the model's item table quantised to int8 with one scale per row (<see cref="CompactTableLayout"/>).
    /// When a bundle carries it, <see cref="Model"/> computes only the user vector from the history's item vectors
    /// (inputs <c>item_ids</c>, <c>item_vectors</c>; output <c>user_vector</c>) and the device searches this table
    /// itself: the float32 table is then in no file and in no memory.
    /// </summary>
    public const string CompactItemTable = "item_table.i8";

    /// <summary>
    /// Optional: popularity per cohort (<see cref="Cohorts.CohortTable"/>): for each user attribute value
    /// (<c>platform=ios</c>) and each common search (<c>search:racing</c>), the items the people in it chose most.
    /// The device's cold-start fallback blends the cohorts a new user belongs to.
    /// </summary>
    public const string CohortPopularity = "cohort_popularity.bin";

    /// <summary>
    /// Optional, beside <see cref="CompactItemTable"/>: two more bits per value (<see cref="CompactTableLayout.ResidualBytes"/>),
    /// the part of each value the int8 code rounded off, so the exact rescoring of the search's shortlist and the
    /// history rows given to the graph are four times closer to float32 at 1/16 of its size.
    /// </summary>
    public const string CompactItemResiduals = "item_table.r2";

    /// <summary>
    /// The item list of a bundle of <see cref="BundleManifest.ItemListFormatVersion"/> (<see cref="Protocol.ItemList"/>): ids,
    /// titles and categories in a binary form read in place, instead of the manifest's JSON <c>items</c>.
    /// </summary>
    public const string ItemList = "items.bin";

    /// <summary>The ECDSA P-256 signature over the exact bytes of <see cref="Manifest"/>.</summary>
    public const string Signature = "manifest.sig";

    /// <summary>Longest name a manifest may list.</summary>
    public const int MaxLength = 128;

    /// <summary>
    /// True when <paramref name="name"/> may be listed in a manifest: 1–128 characters of <c>A–Z a–z 0–9 . _ -</c>,
    /// not starting with a dot, without <c>..</c>, and not <c>manifest.*</c> in any letter case.
    /// A portable character set means the name is a plain file name on every device file system,
    /// so a listed name can never reach outside the bundle directory.
    /// </summary>
    public static bool IsValidListedName(string? name) => Explain(name) is null;

    /// <summary>Why <paramref name="name"/> cannot be listed, or null when it can.</summary>
    internal static string? Explain(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "a file name is empty";
        if (name.Length > MaxLength) return $"file name '{Shorten(name)}' is longer than {MaxLength} characters";
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                return $"file name '{Shorten(name)}' may only hold A-Z, a-z, 0-9, '.', '_' and '-' (no path separators)";
        }
        if (name[0] == '.') return $"file name '{name}' starts with a dot";
        if (name.Contains("..", StringComparison.Ordinal)) return $"file name '{name}' contains '..'";
        // Case-insensitive: on a case-insensitive file system "Manifest.JSON" would be the manifest itself.
        if (name.StartsWith("manifest.", StringComparison.OrdinalIgnoreCase)) return $"file name '{name}' is reserved for the manifest";
        return null;
    }

    /// <summary>Keeps hostile names from flooding an error message.</summary>
    internal static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "…");
}
