using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>
/// Every exported function. Each one catches everything: an exception crossing into C would abort the host.
/// Arguments are checked before use; a failure returns a code and leaves a message (odr_errmsg/odr_last_error).
/// </summary>
internal static unsafe class Exports
{
    public const int AbiVersion = 1;
    private const int MaxPathBytes = 4096;
    private const int MaxKeyBytes = 16_384;
    private static readonly byte* Version = Utf8Strings.Allocate(typeof(Exports).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
    private static readonly nint[] CodeStrings = Enumerable.Range(0, 100).Select(c => (nint)Utf8Strings.Allocate(ResultCode.Describe(c))).ToArray();

    // Even these cannot let an exception out: reading a static field can run the type initialiser, which can fail.
    [UnmanagedCallersOnly(EntryPoint = "odr_version")]
    public static byte* OdrVersion()
    {
        try
        {
            return Version;
        }
        catch
        {
            return null;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "odr_abi_version")]
    public static int OdrAbiVersion() => AbiVersion;

    [UnmanagedCallersOnly(EntryPoint = "odr_errstr")]
    public static byte* OdrErrstr(int code)
    {
        try
        {
            return (byte*)CodeStrings[code is >= 0 and < 100 ? code : 98];
        }
        catch
        {
            return null;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "odr_errmsg")]
    public static byte* OdrErrmsg(nint handle)
    {
        try
        {
            var box = HandleRegistry.Find(handle);
            if (box is null || !box.TryAcquire())
            {
                return ErrorMessages.Thread;
            }
            try
            {
                return box.Message;
            }
            finally
            {
                box.Release();
            }
        }
        catch
        {
            return null;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "odr_last_error")]
    public static byte* OdrLastError()
    {
        try
        {
            return ErrorMessages.Thread;
        }
        catch
        {
            return null;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "odr_set_log_callback")]
    public static int OdrSetLogCallback(delegate* unmanaged<void*, int, byte*, void> callback, void* userData)
    {
        try
        {
            CallbackLogging.Install(callback, userData);
            return ResultCode.Ok;
        }
        catch (Exception e)
        {
            return ErrorMessages.Fail(null, e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "odr_open")]
    public static int OdrOpen(void* configPointer, nint* outClient)
    {
        try
        {
            if (outClient is null)
            {
                return ErrorMessages.Fail(null, ResultCode.InvalidArgument, "out_client is NULL.");
            }
            *outClient = 0;
            if (configPointer is null)
            {
                return ErrorMessages.Fail(null, ResultCode.InvalidArgument, "config is NULL.");
            }
            var config = CallerStructs.ReadSized<NativeConfig>(configPointer, "config", "odr_config");
            string path = Utf8Strings.Read(config.DatabasePath, "config->database_path", MaxPathBytes);
            string? key = Utf8Strings.ReadOptional(config.TrustedKeyPem, "config->trusted_key_pem", MaxKeyBytes);
            if (config.InitialConsent is < 0 or > 3 || config.MaxEvents < 0 || config.FlushIntervalMs < 0 || config.InferenceThreads is < 0 or > 64
                || config.SyncIntervalSeconds < 0 || config.SyncMaxAttempts is < 0 or > 100)
            {
                return ErrorMessages.Fail(null, ResultCode.InvalidArgument, "config holds a negative or out-of-range number.");
            }
            var sync = SyncOptionsFrom(&config);
            var store = new StoreOptions
            {
                DatabasePath = path,
                MaxRows = config.MaxEvents > 0 ? config.MaxEvents : 500_000,
                FlushInterval = TimeSpan.FromMilliseconds(config.FlushIntervalMs > 0 ? config.FlushIntervalMs : 500),
            };
            var client = new RecoClient(new RecoClientOptions
            {
                Store = store,
                InitialConsent = (ConsentState)config.InitialConsent,
                TrustedModelKeys = key is null ? [] : [key],
                Inference = new InferenceOptions { IntraOpThreads = config.InferenceThreads > 0 ? config.InferenceThreads : 1 },
                LoggerFactory = CallbackLogging.Factory,
                Sync = sync,
            });
            *outClient = HandleRegistry.Add(new ClientBox(client));
            return ResultCode.Ok;
        }
        catch (Exception e)
        {
            return ErrorMessages.Fail(null, e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "odr_close")]
    public static int OdrClose(nint handle)
    {
        try
        {
            if (handle == 0)
            {
                return ResultCode.Ok; // like free(NULL)
            }
            var box = HandleRegistry.Remove(handle);
            if (box is null)
            {
                return ErrorMessages.Fail(null, ResultCode.State, "Not an open odr_client handle (already closed, or not from odr_open).");
            }
            // Waits for calls in flight on other threads; the client is disposed by whichever finishes last.
            var error = box.Close();
            if (HandleRegistry.IsEmpty)
            {
                // The last client is gone, typically before the host unloads the library (which stays resident,
                // see the header): give the managed heap back to the OS now instead of whenever the GC next runs,
                // so that load/close cycles of a plugin host do not ratchet memory up (tests/native/plugin_host.c).
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
            return error is null ? ResultCode.Ok : ErrorMessages.Fail(null, error);
        }
        catch (Exception e)
        {
            return ErrorMessages.Fail(null, e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "odr_track")]
    public static int OdrTrack(nint handle, byte* userId, byte* itemId, int type, double value, long timestampMs) =>
        WithClient(handle, box =>
        {
            if (timestampMs < 0)
            {
                throw new ArgumentException("timestamp_ms is negative.");
            }
            var outcome = box.Client.Track(
                Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes),
                Utf8Strings.Read(itemId, "item_id", InputLimits.MaxIdBytes),
                (EventType)type, value,
                timestampMs == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(timestampMs));
            return outcome switch
            {
                TrackOutcome.Accepted => ResultCode.Ok,
                TrackOutcome.ConsentRevoked => ErrorMessages.Fail(box, ResultCode.NoConsent, "Consent is revoked: the event was not recorded."),
                _ => ErrorMessages.Fail(box, ResultCode.Full, "The event queue is full: the disk is not keeping up; the event was not recorded."),
            };
        });

    [UnmanagedCallersOnly(EntryPoint = "odr_flush")]
    public static int OdrFlush(nint handle) => WithClient(handle, box =>
    {
        box.Client.Flush();
        return ResultCode.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "odr_recommend")]
    public static int OdrRecommend(nint handle, byte* userId, int count, NativeRecommendation* results, nuint itemSize, int* outCount) =>
        WithClient(handle, box =>
        {
            if (outCount is not null)
            {
                *outCount = 0;
            }
            if (results is null || outCount is null)
            {
                throw new ArgumentException("results and out_count must not be NULL.");
            }
            CallerStructs.CheckSize<NativeRecommendation>(itemSize, "item_size");
            var list = box.Client.Recommend(Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes), count);
            Copy(list, results, itemSize);
            *outCount = list.Count;
            return ResultCode.Ok;
        });

    [UnmanagedCallersOnly(EntryPoint = "odr_recommend_async")]
    public static int OdrRecommendAsync(nint handle, byte* userId, int count, nuint itemSize,
        delegate* unmanaged<void*, int, NativeRecommendation*, int, void> callback, void* userData) =>
        WithClient(handle, box =>
        {
            if (callback is null)
            {
                throw new ArgumentException("callback must not be NULL.");
            }
            CallerStructs.CheckSize<NativeRecommendation>(itemSize, "item_size");
            // Arguments are copied and checked now, on the caller's thread; the work runs on a pool thread.
            string user = Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes);
            if (count is < 1 or > RecoClient.MaxRecommendations)
            {
                throw new ArgumentException($"count is {count}; it must be 1–{RecoClient.MaxRecommendations}.");
            }
            // The pending work holds the handle until its callback has returned, so odr_close waits for it.
            if (!box.TryAcquire())
            {
                return ErrorMessages.Fail(box, ResultCode.State, "The handle is being closed.");
            }
            nint state = (nint)userData;
            nint function = (nint)callback;
            ThreadPool.UnsafeQueueUserWorkItem(_ => CompleteAsync(box, user, count, itemSize, function, state), null);
            return ResultCode.Ok;
        });

    private static void CompleteAsync(ClientBox box, string user, int count, nuint itemSize, nint function, nint userData)
    {
        var callback = (delegate* unmanaged<void*, int, NativeRecommendation*, int, void>)function;
        NativeRecommendation* results = null;
        ThreadFrames<ClientBox>.Enter(box);
        try
        {
            var list = box.Client.Recommend(user, count);
            results = (NativeRecommendation*)NativeMemory.AllocZeroed((nuint)Math.Max(1, list.Count), itemSize);
            Copy(list, results, itemSize);
            callback((void*)userData, ResultCode.Ok, results, list.Count);
        }
        catch (Exception e)
        {
            ErrorMessages.Fail(box, e);
            callback((void*)userData, ResultCode.From(e), null, 0);
        }
        finally
        {
            NativeMemory.Free(results);
            ThreadFrames<ClientBox>.Exit();
            box.Release();
        }
    }

    internal static void Copy(RecommendationList list, NativeRecommendation* results, nuint itemSize)
    {
        for (int i = 0; i < list.Count; i++)
        {
            var item = list[i];
            NativeRecommendation target = default;
            Utf8Strings.Write(item.ItemId, target.ItemId, NativeRecommendation.IdBytes);
            target.Score = item.Score;
            target.Rank = item.Rank;
            target.Source = (int)item.Source;
            target.IsExploration = item.IsExploration ? 1 : 0;
            Utf8Strings.Write(item.Reason, target.Reason, NativeRecommendation.ReasonBytes);
            Utf8Strings.Write(list.RequestId, target.RequestId, NativeRecommendation.RequestIdBytes);
            CallerStructs.Write(results, itemSize, i, target);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "odr_record_feedback")]
    public static int OdrRecordFeedback(nint handle, byte* userId, NativeRecommendation* item, int eventType) =>
        WithClient(handle, box =>
        {
            if (item is null)
            {
                throw new ArgumentException("item must not be NULL.");
            }
            var outcome = box.Client.TrackFeedback(
                Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes),
                Utf8Strings.Read(item->RequestId, "item->request_id", NativeRecommendation.RequestIdBytes - 1),
                Utf8Strings.Read(item->ItemId, "item->item_id", InputLimits.MaxIdBytes),
                item->Rank, (RecommendationSource)item->Source, (EventType)eventType);
            return outcome == TrackOutcome.Accepted ? ResultCode.Ok
                : ErrorMessages.Fail(box, outcome == TrackOutcome.ConsentRevoked ? ResultCode.NoConsent : ResultCode.Full, $"Feedback not recorded: {outcome}.");
        });

    [UnmanagedCallersOnly(EntryPoint = "odr_upsert_item")]
    public static int OdrUpsertItem(nint handle, byte* itemId, byte** categories, int categoryCount) =>
        WithClient(handle, box =>
        {
            if (categoryCount < 0 || categoryCount > InputLimits.MaxCategories || (categoryCount > 0 && categories is null))
            {
                throw new ArgumentException($"category_count must be 0–{InputLimits.MaxCategories} and categories non-NULL when it is not 0.");
            }
            var names = new string[categoryCount];
            for (int i = 0; i < categoryCount; i++)
            {
                names[i] = Utf8Strings.Read(categories[i], $"categories[{i}]", InputLimits.MaxContextKeyBytes);
            }
            box.Client.UpsertItems([new ItemMetadata(Utf8Strings.Read(itemId, "item_id", InputLimits.MaxIdBytes), names)]);
            return ResultCode.Ok;
        });

    [UnmanagedCallersOnly(EntryPoint = "odr_recent_sequence")]
    public static int OdrRecentSequence(nint handle, byte* userId, int max, NativeRecentItem* items, nuint itemSize, int* outCount) =>
        WithClient(handle, box =>
        {
            if (outCount is not null)
            {
                *outCount = 0;
            }
            if (items is null || outCount is null)
            {
                throw new ArgumentException("items and out_count must not be NULL.");
            }
            CallerStructs.CheckSize<NativeRecentItem>(itemSize, "item_size");
            var recent = box.Client.GetRecentSequence(Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes), max);
            for (int i = 0; i < recent.Count; i++)
            {
                NativeRecentItem item = default;
                Utf8Strings.Write(recent[i].ItemId, item.ItemId, NativeRecommendation.IdBytes);
                item.Type = (int)recent[i].Type;
                item.TimestampMs = recent[i].Timestamp.ToUnixTimeMilliseconds();
                item.Value = recent[i].Value;
                CallerStructs.Write(items, itemSize, i, item);
            }
            *outCount = recent.Count;
            return ResultCode.Ok;
        });

    [UnmanagedCallersOnly(EntryPoint = "odr_get_profile")]
    public static int OdrProfile(nint handle, byte* userId, NativeProfile* profilePointer, nuint profileSize) =>
        WithClient(handle, box =>
        {
            if (profilePointer is null)
            {
                throw new ArgumentException("profile must not be NULL.");
            }
            CallerStructs.CheckSize<NativeProfile>(profileSize, "profile_size");
            var p = box.Client.GetProfile(Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes));
            NativeProfile profile = default;
            profile.TotalEvents = p.TotalEvents;
            profile.SessionCount = p.SessionCount;
            profile.FirstSeenMs = p.FirstSeen?.ToUnixTimeMilliseconds() ?? 0;
            profile.LastSeenMs = p.LastSeen?.ToUnixTimeMilliseconds() ?? 0;
            var top = p.CategoryAffinities.Take(NativeProfile.TopCategories).ToList();
            profile.CategoryCount = top.Count;
            for (int i = 0; i < top.Count; i++)
            {
                Utf8Strings.Write(top[i].Category, profile.Categories + i * NativeProfile.CategoryBytes, NativeProfile.CategoryBytes);
                profile.CategoryScores[i] = top[i].Score;
            }
            CallerStructs.Write(profilePointer, profileSize, 0, profile);
            return ResultCode.Ok;
        });

    [UnmanagedCallersOnly(EntryPoint = "odr_set_consent")]
    public static int OdrSetConsent(nint handle, int consent) => WithClient(handle, box =>
    {
        box.Client.SetConsent((ConsentState)consent);
        return ResultCode.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "odr_get_consent")]
    public static int OdrGetConsent(nint handle, int* consent) => WithClient(handle, box =>
    {
        if (consent is null)
        {
            throw new ArgumentException("consent must not be NULL.");
        }
        *consent = (int)box.Client.Consent;
        return ResultCode.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "odr_erase_all")]
    public static int OdrEraseAll(nint handle) => WithClient(handle, box =>
    {
        box.Client.EraseAllData();
        return ResultCode.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "odr_load_model")]
    public static int OdrLoadModel(nint handle, byte* bundleDirectory, long* outVersion) => WithClient(handle, box =>
    {
        var info = box.Client.LoadModel(Utf8Strings.Read(bundleDirectory, "bundle_dir", MaxPathBytes));
        if (outVersion is not null)
        {
            *outVersion = info.ModelVersion;
        }
        return ResultCode.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "odr_sync")]
    public static int OdrSync(nint handle, NativeSyncResult* outResult, nuint resultSize) => WithClient(handle, box =>
    {
        if (outResult is null)
        {
            throw new ArgumentException("out_result must not be NULL.");
        }
        CallerStructs.CheckSize<NativeSyncResult>(resultSize, "result_size");
        CallerStructs.Write(outResult, resultSize, 0, default(NativeSyncResult));
        var result = box.Client.Sync();
        CallerStructs.Write(outResult, resultSize, 0, new NativeSyncResult
        {
            Status = (int)result.Status,
            EventsSent = result.EventsSent,
            EventsAlreadyOnServer = result.EventsAlreadyOnServer,
            EventsSetAside = result.EventsSetAside,
            EventsRenumbered = result.EventsRenumbered,
            Batches = result.Batches,
            Attempts = result.Attempts,
            HttpStatus = result.HttpStatus ?? 0,
            ModelVersion = result.ModelVersion ?? 0,
            ModelUpdated = result.ModelUpdated ? 1 : 0,
            RetryAfterMs = result.RetryAfter is { } wait ? (int)Math.Min(int.MaxValue, wait.TotalMilliseconds) : 0,
        });
        return result.Status switch
        {
            SyncStatus.Completed => ResultCode.Ok,
            SyncStatus.NoConsent => ErrorMessages.Fail(box, ResultCode.NoConsent, result.Error ?? "Consent is not granted."),
            SyncStatus.Unreachable => ErrorMessages.Fail(box, ResultCode.Io, result.Error ?? "The server could not be reached."),
            _ => ErrorMessages.Fail(box, ResultCode.Refused, result.Error ?? "The server refused the sync."),
        };
    });

    private static SyncOptions? SyncOptionsFrom(NativeConfig* config)
    {
        string? url = Utf8Strings.ReadOptional(config->SyncUrl, "config->sync_url", MaxPathBytes);
        if (url is null)
        {
            return null;
        }
        string apiKey = Utf8Strings.Read(config->SyncApiKey, "config->sync_api_key", MaxKeyBytes);
        // One address, or several of the same service separated by spaces or commas (failover between nodes).
        var uris = url.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(part => Uri.TryCreate(part, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                ? uri
                : throw new ArgumentException($"config->sync_url: '{part}' is not an absolute http or https address."))
            .ToList();
        if (uris.Count == 0)
        {
            throw new ArgumentException("config->sync_url holds no address.");
        }
        return new SyncOptions
        {
            ServerUri = uris[0],
            AlternateServerUris = uris.Skip(1).ToList(),
            ApiKey = apiKey,
            Interval = config->SyncIntervalSeconds > 0 ? TimeSpan.FromSeconds(config->SyncIntervalSeconds) : null,
            MaxAttempts = config->SyncMaxAttempts > 0 ? config->SyncMaxAttempts : 5,
        };
    }

    /// <summary>
    /// Resolves the handle, holds it for the length of the call (so a concurrent odr_close waits instead of
    /// disposing the client under it) and runs the body under the catch-all every export needs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int WithClient(nint handle, Func<ClientBox, int> body)
    {
        var box = HandleRegistry.Find(handle);
        if (box is null || !box.TryAcquire())
        {
            return ErrorMessages.Fail(null, ResultCode.State, "Not an open odr_client handle (NULL, closed, or not from odr_open).");
        }
        ThreadFrames<ClientBox>.Enter(box);
        try
        {
            return body(box);
        }
        catch (Exception e)
        {
            return ErrorMessages.Fail(box, e);
        }
        finally
        {
            ThreadFrames<ClientBox>.Exit();
            box.Release();
        }
    }
}
