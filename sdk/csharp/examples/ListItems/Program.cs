// Prints the cached items of a site as JSON:
//   VAULT_URL=… VAULT_API_KEY=… dotnet run --project sdk/csharp/examples/ListItems -c Release -- --domain github.com
using Microsoft.Kiota.Abstractions.Serialization;
using Vault.Client;

var domain = args.Length == 2 && args[0] == "--domain" ? args[1] : null;
if (domain is null)
{
    Console.Error.WriteLine("usage: ListItems --domain DOMAIN   (with VAULT_URL and VAULT_API_KEY set)");
    return 2;
}

var client = VaultApi.Create(new Uri(Environment.GetEnvironmentVariable("VAULT_URL") ?? VaultApi.DefaultUrl), Environment.GetEnvironmentVariable("VAULT_API_KEY"));
try
{
    var items = new List<Vault.Client.Models.Item>();
    string? pageToken = null;
    do
    {
        var page = await client.V1.Vault.Items.GetAsync(r =>
        {
            r.QueryParameters.Domain = domain;
            r.QueryParameters.PageToken = pageToken;
        });
        items.AddRange(page?.Items ?? []);
        pageToken = page?.NextPageToken;
    }
    while (pageToken is not null);

    Console.WriteLine(await KiotaJsonSerializer.SerializeAsStringAsync(items, serializeOnlyChangedValues: false));
    return 0;
}
catch (Exception ex) when (VaultError.From(ex) is { } error)
{
    Console.Error.WriteLine($"{error.Code}: {error.Message}");
    return 1;
}
