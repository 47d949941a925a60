using OnDeviceReco.Storage;

namespace OnDeviceReco.Tests.Support;

/// <summary>Direct SQL on a store's file, to check what is really on disk.</summary>
public static class RawDatabase
{
    public static long Scalar(string path, string sql)
    {
        using var database = SqliteDatabase.Open(path);
        return database.QueryInt64(sql);
    }

    public static void Execute(string path, string sql)
    {
        using var database = SqliteDatabase.Open(path);
        database.Execute(sql);
    }
}
