namespace Vault.Testing.TableLimits;

/// <summary>
/// Token buckets per partition and for the account, and the peaks they saw. A request is admitted while every bucket
/// it draws on holds its entities (at most a full bucket's worth, so a batch larger than one second's budget is still
/// servable when the bucket is full), and then takes all of them at once: admitting and taking are one step under one
/// lock, so concurrent requests cannot both spend the same tokens.
/// </summary>
internal sealed class EntityMeter
{
    private readonly object _gate = new();
    private readonly TableLimitsOptions _options;
    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly TokenBucket _account;
    private readonly SecondPeak _accountPeak = new();
    private readonly Dictionary<PartitionId, (TokenBucket Bucket, SecondPeak Peak)> _partitions = [];
    private long _entities;

    public EntityMeter(TableLimitsOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _start = time.GetTimestamp();
        _account = new TokenBucket(options.AccountEntitiesPerSecond, _start);
    }

    /// <summary>Admits and charges the entities of a single-entity operation or a batch, per partition; false: throttled.</summary>
    public bool TryAdmit(IReadOnlyDictionary<PartitionId, int> charges)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var total = charges.Values.Sum();
            if (!_account.Holds(total, now, _time) || charges.Any(c => !Partition(c.Key).Bucket.Holds(c.Value, now, _time)))
            {
                return false;
            }

            foreach (var (partition, entities) in charges)
            {
                ChargeLocked(partition, entities, now);
            }

            return true;
        }
    }

    /// <summary>A query is admitted while its partition (when its filter names one) and the account hold an entity.</summary>
    public bool TryAdmitQuery(PartitionId? partition)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            return _account.Holds(1, now, _time) && (partition is not { } p || Partition(p).Bucket.Holds(1, now, _time));
        }
    }

    /// <summary>Charges what a query returned, after its answer (it may leave the buckets in debt).</summary>
    public void ChargeQuery(PartitionId? partition, int entities)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (partition is { } p)
            {
                ChargeLocked(p, entities, now);
            }
            else
            {
                _account.Take(entities, now, _time);
                _accountPeak.Add(Second(now), entities);
                _entities += entities;
            }
        }
    }

    public (long Entities, PartitionId? PeakPartition, long PeakPartitionPerSecond, long PeakAccountPerSecond) Peaks()
    {
        lock (_gate)
        {
            var top = _partitions.OrderByDescending(p => p.Value.Peak.Peak).Select(p => (PartitionId?)p.Key).FirstOrDefault();
            return (_entities, top, top is { } t ? _partitions[t].Peak.Peak : 0, _accountPeak.Peak);
        }
    }

    private void ChargeLocked(PartitionId partition, int entities, long now)
    {
        var (bucket, peak) = Partition(partition);
        bucket.Take(entities, now, _time);
        _account.Take(entities, now, _time);
        var second = Second(now);
        peak.Add(second, entities);
        _accountPeak.Add(second, entities);
        _entities += entities;
    }

    private (TokenBucket Bucket, SecondPeak Peak) Partition(PartitionId partition)
    {
        if (!_partitions.TryGetValue(partition, out var state))
        {
            state = (new TokenBucket(_options.PartitionEntitiesPerSecond, _time.GetTimestamp()), new SecondPeak());
            _partitions[partition] = state;
        }

        return state;
    }

    private long Second(long now) => (long)_time.GetElapsedTime(_start, now).TotalSeconds;
}
