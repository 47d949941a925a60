using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Text;

namespace OnDeviceReco.Trainer.Tests;

/// <summary>Newcomers' questions by text coverage × popularity, on vectors whose geometry is known.</summary>
public sealed class TextOnboardingQuestionsTests
{
    /// <summary>
    /// Items 1–2 share one direction (a cluster), 3 points elsewhere, 4 is halfway, 5 was never played. Users: 10, 9, 5, 1, 0.
    /// </summary>
    private static (ItemVocabulary Items, int[] Users) Catalogue(bool vectors = true)
    {
        var items = new ItemVocabulary();
        foreach (string id in new[] { "a1", "a2", "b", "ab", "never" })
        {
            items.Add(id, id, ["g"]);
        }
        float h = MathF.Sqrt(0.5f);
        float[][] rows = [[0, 0], [1, 0], [1, 0], [0, 1], [h, h], [0, 1]];
        if (vectors)
        {
            items.AttachTextVectors(rows.SelectMany(r => r).ToArray(), 2);
        }
        return (items, [0, 10, 9, 5, 1, 0]);
    }

    [Fact]
    public void After_the_most_popular_item_the_next_question_covers_what_its_cluster_does_not()
    {
        var (items, users) = Catalogue();
        var order = TextOnboardingQuestions.Choose(items, users).Select(items.IdOf).ToList();
        // a1 first (the most known, covering its cluster); a2 adds nothing a1 does not cover, b covers the rest: b before a2.
        Assert.Equal("a1", order[0]);
        Assert.Equal("b", order[1]);
        Assert.Equal(["a1", "b", "a2", "ab"], order.Take(2).Concat(order.Skip(2).Order(StringComparer.Ordinal)).ToList());
        Assert.DoesNotContain("never", order); // nobody played it: nobody could answer
    }

    [Fact]
    public void Only_allowed_items_are_asked_and_the_length_is_capped()
    {
        var (items, users) = Catalogue();
        Assert.Equal(["a2", "b"], TextOnboardingQuestions.Choose(items, users, allowed: i => items.IdOf(i) != "a1", length: 2).Select(items.IdOf));
    }

    [Fact]
    public void Without_text_vectors_there_are_no_questions()
    {
        var (items, users) = Catalogue(vectors: false);
        Assert.Empty(TextOnboardingQuestions.Choose(items, users));
    }
}
