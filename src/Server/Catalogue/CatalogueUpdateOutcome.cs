namespace OnDeviceReco.Server.Catalogue;

/// <summary>
/// What a catalogue update did: how many rows it stored, and the version it published (null when none: nothing new,
/// no model serving yet, or the serving model cannot place new items — <see cref="Note"/> says which).
/// </summary>
/// <param name="Vectors">How the new items were placed: "text" (the serving model's adaptor on their text), "content" (its genre projection alone) or "none".</param>
/// <param name="Seconds">From the request (or the directory check) to the published version.</param>
/// <param name="Pending">True when the catalogue holds items devices do not have yet and this update could not publish them.</param>
public sealed record CatalogueUpdateOutcome(int Stored, long? Version, long? BaseVersion, int Added, string Vectors, double Seconds, string Note, bool Pending = false);

/// <summary>A catalogue row that cannot be added; <see cref="Row"/> counts from 1 in the request's <c>items</c>.</summary>
public sealed class CatalogueRowException(int row, string id, string problem)
    : Exception($"Row {row} (id '{id}'): {problem}.")
{
    public int Row { get; } = row;
    public string Id { get; } = id;
    public string Problem { get; } = problem;
}

/// <summary>The catalogue cannot be updated at all right now (no catalogue directory, its file is bad); the message says why.</summary>
public sealed class CatalogueUnavailableException(string message) : Exception(message);
