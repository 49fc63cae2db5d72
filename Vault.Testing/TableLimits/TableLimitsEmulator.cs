using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Vault.Testing.TableLimits;

/// <summary>
/// Azure Table Storage's scalability targets in front of Azurite, which has none: a reverse proxy on a free loopback
/// port that forwards every table request unchanged and meters entities per partition and per account
/// (<see cref="TableOperation"/> says what counts). Over a limit it answers as Azure does, 503 ServerBusy
/// (<see cref="ServerBusyAnswer"/>), without forwarding. Point a client at <see cref="ConnectionString"/> (the same
/// account and key; only its TableEndpoint is this proxy, same account path).
/// </summary>
public sealed class TableLimitsEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TableRequestForwarder _forwarder;
    private readonly EntityMeter _meter;
    private readonly TimeProvider _time;
    private long _forwarded;
    private long _throttled;

    private TableLimitsEmulator(WebApplication app, TableRequestForwarder forwarder, EntityMeter meter, TimeProvider time)
    {
        _app = app;
        _forwarder = forwarder;
        _meter = meter;
        _time = time;
    }

    public TableLimitsOptions Options { get; private init; } = TableLimitsOptions.Azure;

    /// <summary>This proxy's table endpoint, with the account path of the one it fronts (<c>http://127.0.0.1:PORT/devstoreaccount1</c>).</summary>
    public Uri TableEndpoint { get; private set; } = null!;

    /// <summary>The storage connection string it was started with, its TableEndpoint pointed here.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <param name="storageConnectionString">Azurite's connection string (with a TableEndpoint).</param>
    public static async Task<TableLimitsEmulator> StartAsync(string storageConnectionString, TableLimitsOptions? options = null, TimeProvider? time = null)
    {
        options ??= TableLimitsOptions.Azure;
        options.Validate();
        time ??= TimeProvider.System;
        var upstream = StorageConnectionString.TableEndpoint(storageConnectionString);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0);
        });
        var app = builder.Build();
        var emulator = new TableLimitsEmulator(app, new TableRequestForwarder(new Uri(upstream.GetLeftPart(UriPartial.Authority))), new EntityMeter(options, time), time)
        {
            Options = options,
        };
        app.Run(emulator.HandleAsync);
        await app.StartAsync();

        var port = new Uri(app.Urls.First()).Port;
        emulator.TableEndpoint = new UriBuilder(upstream) { Host = "127.0.0.1", Port = port }.Uri;
        emulator.ConnectionString = StorageConnectionString.WithTableEndpoint(storageConnectionString, emulator.TableEndpoint);
        return emulator;
    }

    public TableLimitsReport Report()
    {
        var (entities, partition, partitionPeak, accountPeak) = _meter.Peaks();
        return new TableLimitsReport(Interlocked.Read(ref _forwarded), Interlocked.Read(ref _throttled), entities, partition, partitionPeak, accountPeak);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context);
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path + context.Request.QueryString;
        var operation = TableOperationReader.Read(context.Request.Method, rawTarget, context.Request.ContentType, body);
        var admitted = !operation.IsMetered
            || (operation.IsQuery ? _meter.TryAdmitQuery(operation.QueryPartition) : _meter.TryAdmit(operation.Charges));
        if (!admitted)
        {
            Interlocked.Increment(ref _throttled);
            await ServerBusyAnswer.WriteAsync(context, _time);
            return;
        }

        Interlocked.Increment(ref _forwarded);
        using var answer = await _forwarder.SendAsync(context, body);
        if (!operation.IsQuery)
        {
            await TableRequestForwarder.CopyAsync(answer, context, null);
            return;
        }

        var result = await answer.Content.ReadAsByteArrayAsync(context.RequestAborted);
        _meter.ChargeQuery(operation.QueryPartition, answer.IsSuccessStatusCode ? Math.Max(1, QueryResultCounter.Count(result)) : 1);
        await TableRequestForwarder.CopyAsync(answer, context, result);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _forwarder.Dispose();
    }
}
