using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Vault.Tests.Infrastructure;

/// <summary>
/// The Azurite every test uses: the one ./test started (VAULT_TEST_STORAGE), or one this process starts from the repo's
/// node_modules on free loopback ports, in memory, stopped when the test process exits.
/// </summary>
public static class AzuriteStorage
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly Lazy<string> Connection = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string ConnectionString => Connection.Value;

    /// <summary>Every row of one partition of a table, read straight from storage (what a test asserts was left behind).</summary>
    public static async Task<List<Azure.Data.Tables.TableEntity>> PartitionAsync(string tableName, string partitionKey)
    {
        var client = new Azure.Data.Tables.TableServiceClient(ConnectionString).GetTableClient(tableName);
        var rows = new List<Azure.Data.Tables.TableEntity>();
        await foreach (var row in client.QueryAsync<Azure.Data.Tables.TableEntity>(Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}")))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Every item row of an account, from all its bucket partitions (and the layout before buckets).</summary>
    public static async Task<List<Azure.Data.Tables.TableEntity>> ItemRowsAsync(string tableName, string accountId)
    {
        var rows = new List<Azure.Data.Tables.TableEntity>();
        foreach (var partition in Vault.Core.Items.ItemKeys.Partitions(accountId).Append(Vault.Core.Items.ItemKeys.LegacyPartition(accountId)))
        {
            rows.AddRange(await PartitionAsync(tableName, partition));
        }

        return rows;
    }

    private static string Start()
    {
        var fromScript = Environment.GetEnvironmentVariable("VAULT_TEST_STORAGE");
        if (!string.IsNullOrEmpty(fromScript))
        {
            return fromScript;
        }

        var script = Path.Combine(RepoPaths.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"Azurite is not installed ({script} missing): run ./test, or npm ci at the repo root.");
        }

        int blob = FreePort(), queue = FreePort(), table = FreePort();
        var start = new ProcessStartInfo("node")
        {
            ArgumentList =
            {
                script, "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--silent",
                "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                "--blobPort", blob.ToString(), "--queuePort", queue.ToString(), "--tablePort", table.ToString(),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Azurite.");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        };

        // Generous: on a loaded 2-core machine Node can take long to start.
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!IsListening(table) || !IsListening(queue))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                if (!process.HasExited)
                {
                    // Stop it first: reading stderr of a process still running would wait forever.
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit();
                }

                throw new InvalidOperationException("Azurite did not start: " + process.StandardError.ReadToEnd());
            }

            Thread.Sleep(100);
        }

        return $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
               $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;" +
               $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vault.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Repo root (Vault.sln) not found above " + AppContext.BaseDirectory);
    }
}
