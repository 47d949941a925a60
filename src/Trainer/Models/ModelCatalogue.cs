namespace OnDeviceReco.Trainer.Models;

/// <summary>Looks up a model config by its report name.</summary>
public static class ModelCatalogue
{
    public static ModelConfig Find(string name) =>
        ModelConfig.Catalogue.FirstOrDefault(c => c.Name == name)
        ?? throw new UnknownModelException($"Unknown model '{name}'. Known: popularity, {string.Join(", ", ModelConfig.Catalogue.Select(c => c.Name))}.");
}
