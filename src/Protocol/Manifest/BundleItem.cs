namespace OnDeviceReco.Protocol;

/// <summary>One item the model knows. Its position in <see cref="BundleManifest.Items"/> plus one is its model index.</summary>
/// <param name="Id">The app's item id, as tracked on the device.</param>
/// <param name="Title">A display title, or null.</param>
/// <param name="Categories">The item's categories; empty when it has none.</param>
public sealed record BundleItem(string Id, string? Title, string[] Categories);
