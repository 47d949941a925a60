using System.Data;
using System.Data.Common;

namespace OnDeviceReco.Feedback;

/// <summary>
/// Statements with named parameters on any ADO.NET connection, so the SQL both stores share runs on either.
/// Shared SQL names its parameters <c>@name</c> and binds them under that name: Microsoft.Data.Sqlite and Npgsql both
/// accept it.
/// </summary>
internal static class SqlCommands
{
    /// <summary>Runs a statement; returns the rows it changed.</summary>
    public static int Execute(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row, or null when there is none.</summary>
    public static object? Scalar(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteScalar();
    }

    /// <summary>Every row of a query, read into a list.</summary>
    public static List<T> Query<T>(DbConnection connection, DbTransaction? transaction, string sql, Func<DbDataReader, T> read,
        params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return [.. Rows(command, read, CommandBehavior.Default)];
    }

    /// <summary>The one row of a query; anything else is a broken invariant.</summary>
    public static T Single<T>(DbConnection connection, DbTransaction? transaction, string sql, Func<DbDataReader, T> read,
        params (string Name, object Value)[] parameters) =>
        Query(connection, transaction, sql, read, parameters) is [var only] ? only : throw new InvalidOperationException($"Expected one row from: {sql}");

    /// <summary>The rows of <paramref name="command"/> as they arrive, never all held at once.</summary>
    public static IEnumerable<T> Rows<T>(DbCommand command, Func<DbDataReader, T> read, CommandBehavior behavior)
    {
        using var reader = command.ExecuteReader(behavior);
        while (reader.Read())
        {
            yield return read(reader);
        }
    }

    /// <summary>A command for <paramref name="sql"/> in <paramref name="transaction"/> (if any) with <paramref name="parameters"/> bound by name.</summary>
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
