using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Vault.Core.Providers.Network;

/// <summary>
/// Reads a provider answer's body as a stream under <see cref="ProviderLimits"/>: inflated bytes are counted as they are
/// read (the handler decompresses on the fly, so a bomb is never inflated whole), and the whole body must arrive within
/// <see cref="ProviderLimits.ResponseBodyTimeout"/>.
/// </summary>
public static class BoundedBody
{
    /// <summary>Deserializes the body from the stream (no string, no copy of the whole body).</summary>
    public static async Task<T?> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, ProviderLimits limits, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(limits.ResponseBodyTimeout);
        try
        {
            await using var body = new CappedStream(await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false), limits.MaxResponseBytes);
            return await JsonSerializer.DeserializeAsync(body, type, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw TimedOut(limits);
        }
        catch (JsonException ex) when (IsDepthExceeded(ex))
        {
            throw new ProviderResponseTooLargeException($"JSON nested deeper than {limits.MaxJsonDepth} levels");
        }
    }

    /// <summary>The body's bytes, for answers that are decrypted before they are parsed.</summary>
    public static async Task<byte[]> ReadBytesAsync(HttpResponseMessage response, ProviderLimits limits, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(limits.ResponseBodyTimeout);
        try
        {
            await using var body = new CappedStream(await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false), limits.MaxResponseBytes);
            using var copy = new MemoryStream();
            await body.CopyToAsync(copy, deadline.Token).ConfigureAwait(false);
            return copy.ToArray();
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw TimedOut(limits);
        }
    }

    /// <summary>Serializer options with the depth cap (the reader then refuses deeper nesting as it reads).</summary>
    public static JsonSerializerOptions WithDepth(JsonSerializerOptions options, ProviderLimits limits) =>
        new(options) { MaxDepth = limits.MaxJsonDepth };

    private static ProviderUnavailableException TimedOut(ProviderLimits limits) =>
        new($"The provider did not send its answer within {limits.ResponseBodyTimeout.TotalSeconds:0} seconds.");

    // System.Text.Json reports depth as a JsonException without a distinct type; its message names the depth.
    private static bool IsDepthExceeded(JsonException ex) =>
        ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase) || ex.InnerException?.Message.Contains("depth", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Counts what is read and fails past the cap, before the bytes over it are used.</summary>
    private sealed class CappedStream(Stream inner, long cap) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int read)
        {
            _read += read;
            return _read > cap ? throw new ProviderResponseTooLargeException($"an answer of more than {cap / (1024 * 1024)} MiB") : read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
