namespace OnDeviceReco;

/// <summary>Hard limits on what one event or item may carry, so a row stays small and bounded.</summary>
public static class InputLimits
{
    /// <summary>Maximum UTF-8 length of a user (profile) id or item id.</summary>
    public const int MaxIdBytes = 256;

    /// <summary>Maximum number of entries in an event's context map.</summary>
    public const int MaxContextEntries = 16;

    /// <summary>Maximum UTF-8 length of a context key.</summary>
    public const int MaxContextKeyBytes = 64;

    /// <summary>Maximum UTF-8 length of a context value or an item attribute value.</summary>
    public const int MaxContextValueBytes = 256;

    /// <summary>Maximum number of categories on one item.</summary>
    public const int MaxCategories = 32;

    /// <summary>Maximum number of attributes on one item.</summary>
    public const int MaxAttributes = 32;

    /// <summary>Most attributes one user may carry on a device (platform, locale, age band…).</summary>
    public const int MaxUserAttributes = 32;

    /// <summary>Maximum UTF-8 length of a user attribute's key.</summary>
    public const int MaxAttributeKeyBytes = 64;

    /// <summary>Maximum UTF-8 length of a user attribute's value.</summary>
    public const int MaxAttributeValueBytes = 128;
}
