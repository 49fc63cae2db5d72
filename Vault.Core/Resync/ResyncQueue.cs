using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using Vault.Core.Common;

namespace Vault.Core.Resync;

/// <summary>The resync queue and its poison queue (Base64 messages, as the Functions queue trigger expects).</summary>
public sealed class ResyncQueue(QueueServiceClient service, IOptions<ResyncOptions> options)
{
    private readonly Lazy<Task<QueueClient>> _queue = new(() => CreateAsync(service, options.Value.QueueName));
    private readonly Lazy<Task<QueueClient>> _poison = new(() => CreateAsync(service, options.Value.QueueName + "-poison"));

    public Task<QueueClient> QueueAsync() => _queue.Value;

    public Task<QueueClient> PoisonAsync() => _poison.Value;

    public async Task SendAsync(ResyncMessage message, TimeSpan? delay, CancellationToken ct)
    {
        var queue = await _queue.Value.ConfigureAwait(false);
        await queue.SendMessageAsync(Serialize(message), visibilityTimeout: delay is { } d && d > TimeSpan.Zero ? Min(d, TimeSpan.FromDays(6)) : null,
            cancellationToken: ct).ConfigureAwait(false);
    }

    public static string Serialize(ResyncMessage message) => JsonSerializer.Serialize(message, ResyncJson.Default.ResyncMessage);

    public static ResyncMessage? Parse(string text)
    {
        try
        {
            var message = JsonSerializer.Deserialize(text, ResyncJson.Default.ResyncMessage);
            return message is { AccountId.Length: > 0, ConnectionId.Length: > 0 } ? message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static async Task<QueueClient> CreateAsync(QueueServiceClient service, string name)
    {
        var queue = service.GetQueueClient(name);
        await queue.CreateIfNotExistsAsync().ConfigureAwait(false);
        return queue;
    }
}
