using Npgsql;

namespace OnDeviceReco.Feedback.Postgres;

/// <summary>
/// The PostgreSQL schema as ordered forward migrations; <c>odr_schema.version</c> counts those run. Several server
/// nodes may start at once: a transaction-scoped advisory lock lets one migrate while the others wait, and then
/// find nothing left to do. Never edit a shipped step: add one at the end.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>Hash partitions of the events table. Citus distributes by the same key (see docs/scale-out.md).</summary>
    public const int EventPartitions = 8;

    private const long MigrationLockKey = 0x6F64_725F_6D69_67; // "odr_mig"

    private static readonly string[] Migrations =
    [
        // 1: devices bound to secrets; events hash-partitioned by device, (device, seq) unique; batch records per
        //    device (the idempotency keys); models and small state.
        """
        CREATE TABLE devices(
            id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            device_id     text   NOT NULL UNIQUE,
            first_seen_ms bigint NOT NULL,
            secret_hash   bytea);
        CREATE SEQUENCE events_id_seq AS bigint;
        CREATE TABLE events(
            id         bigint NOT NULL DEFAULT nextval('events_id_seq'),
            device     bigint NOT NULL,
            seq        bigint NOT NULL,
            ts_ms      bigint NOT NULL,
            user_id    text   NOT NULL,
            item_id    text   NOT NULL,
            type       int    NOT NULL,
            value      double precision NOT NULL,
            request_id text,
            context    text,
            PRIMARY KEY (device, seq)) PARTITION BY HASH (device);
        """ + string.Concat(Enumerable.Range(0, EventPartitions).Select(p =>
            $"CREATE TABLE events_p{p} PARTITION OF events FOR VALUES WITH (MODULUS {EventPartitions}, REMAINDER {p});\n")) + """
        CREATE TABLE batches(
            device       bigint NOT NULL,
            batch_id     uuid   NOT NULL,
            content_hash bytea  NOT NULL,
            last_seq     bigint NOT NULL,
            stored       int    NOT NULL,
            already      int    NOT NULL,
            received_ms  bigint NOT NULL,
            PRIMARY KEY (device, batch_id));
        CREATE TABLE models(
            version    bigint  PRIMARY KEY,
            created_ms bigint  NOT NULL,
            published  boolean NOT NULL,
            metrics    text    NOT NULL,
            reason     text    NOT NULL,
            package    bytea);
        CREATE TABLE state(
            key   text   PRIMARY KEY,
            value bigint NOT NULL);
        CREATE TABLE retraining_runs(
            id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            started_ms     bigint NOT NULL,
            seconds        double precision NOT NULL,
            outcome        text   NOT NULL,
            version        bigint,
            epochs         int    NOT NULL,
            candidate_ndcg double precision,
            baseline_ndcg  double precision,
            baseline       text,
            detail         text   NOT NULL);
        CREATE INDEX batches_by_time ON batches(received_ms);
        """,
        // 2: user attributes per (device, user, key): the newest change wins; value NULL is a removal.
        """
        CREATE TABLE user_attributes(
            device     bigint NOT NULL,
            user_id    text   NOT NULL,
            key        text   NOT NULL,
            value      text,
            change_seq bigint NOT NULL,
            ts_ms      bigint NOT NULL,
            PRIMARY KEY (device, user_id, key));
        """,
        // 3: per (device, user) the newest change number pruned by the attribute cap (AttributeIngest); its row lock
        // orders two nodes applying batches for one user.
        """
        CREATE TABLE user_attribute_floors(
            device    bigint NOT NULL,
            user_id   text   NOT NULL,
            floor_seq bigint NOT NULL,
            PRIMARY KEY (device, user_id));
        """,
        // 4: erased devices, by a keyed hash of the id (ErasureMarkers): the id itself is deleted with its data. The
        // foreign keys make a batch or an attribute change for a device erased meanwhile fail instead of landing (a
        // node's cached device key may outlive the row): checking one batch record per batch costs one index probe.
        // NOT VALID: rows from before are not rescanned (every key came from the devices table, which never lost a row).
        """
        CREATE TABLE erased_devices(
            marker    bytea  PRIMARY KEY,
            erased_ms bigint NOT NULL);
        ALTER TABLE batches ADD CONSTRAINT batches_device_fk FOREIGN KEY (device) REFERENCES devices(id) NOT VALID;
        ALTER TABLE user_attributes ADD CONSTRAINT user_attributes_device_fk FOREIGN KEY (device) REFERENCES devices(id) NOT VALID;
        ALTER TABLE user_attribute_floors ADD CONSTRAINT user_attribute_floors_device_fk FOREIGN KEY (device) REFERENCES devices(id) NOT VALID;
        """,
        // 5: online experiments (definition written by the server, status) and every decision taken on them.
        """
        CREATE TABLE experiments(
            id         text   PRIMARY KEY,
            definition text   NOT NULL,
            status     text   NOT NULL,
            started_ms bigint NOT NULL);
        CREATE TABLE experiment_decisions(
            id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            experiment_id text   NOT NULL,
            at_ms         bigint NOT NULL,
            decision      text   NOT NULL,
            actor         text   NOT NULL,
            detail        text   NOT NULL);
        CREATE INDEX experiment_decisions_by_experiment ON experiment_decisions(experiment_id);
        """,
    ];

    public static int CurrentVersion => Migrations.Length;

    public static void Migrate(NpgsqlDataSource dataSource)
    {
        using var connection = dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLockKey})");
        Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS odr_schema(version int NOT NULL)");
        using (var read = new NpgsqlCommand("SELECT version FROM odr_schema", connection, transaction))
        {
            object? found = read.ExecuteScalar();
            int version = found is int v ? v : 0;
            if (found is null)
            {
                Execute(connection, transaction, "INSERT INTO odr_schema(version) VALUES (0)");
            }
            if (version > CurrentVersion)
            {
                throw new InvalidOperationException($"The feedback database has schema version {version}; this server understands up to {CurrentVersion}.");
            }
            for (int step = version; step < CurrentVersion; step++)
            {
                Execute(connection, transaction, Migrations[step]);
                Execute(connection, transaction, $"UPDATE odr_schema SET version = {step + 1}");
            }
        }
        transaction.Commit();
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        command.ExecuteNonQuery();
    }
}
