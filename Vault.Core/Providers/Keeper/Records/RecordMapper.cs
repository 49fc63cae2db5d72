using System.Text.Json;
using Vault.Core.Providers.Keeper.Api;
using Vault.Core.Snapshots;

namespace Vault.Core.Providers.Keeper.Records;

/// <summary>
/// A decrypted Keeper record as a login item (docs/keeper-protocol.md §6). Any record type may carry a login: what
/// counts are its typed fields, standard (<c>fields</c>) and custom alike — <c>login</c> (else <c>email</c>) is the
/// username, the first <c>password</c> the password, every <c>url</c> value a URL, the first <c>oneTimeCode</c> the
/// TOTP seed (an <c>otpauth://</c> URI, as Keeper keeps it), and custom fields' labels are kept as field names. No
/// version is given: every sync reads every secret, so the fingerprint of the secrets themselves tells an edit.
/// A record without a URL is returned without one, for the sync to skip and count as it does for every provider.
/// </summary>
internal static class RecordMapper
{
    public static ProviderItem ToItem(string vaultId, string vaultName, string recordUid, RecordData data, int maxFields)
    {
        var fields = (data.Fields ?? []).Concat(data.Custom ?? []).ToList();
        if (fields.Count > maxFields)
        {
            throw new ProviderResponseTooLargeException($"a record with more than {maxFields} fields");
        }

        string? First(string type) => fields.Where(f => f.Type == type).SelectMany(Strings).FirstOrDefault(v => v.Length > 0);
        var urls = fields.Where(f => f.Type == "url").SelectMany(Strings).Select(u => u.Trim()).Where(u => u.Length > 0)
            .Distinct(StringComparer.Ordinal).Select(u => new ProviderUri(u)).ToList();
        var totp = First("oneTimeCode");
        var secrets = new ItemSecrets(First("password"), totp);
        return new ProviderItem(vaultId, vaultName, recordUid, data.Title ?? string.Empty, First("login") ?? First("email"), urls, secrets,
            HasTotp: totp is not null, UpdatedAt: null)
        {
            FieldLabels = (data.Custom ?? []).Select(f => f.Label).OfType<string>().Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>A field's string values (Keeper's value is always an array; login-carrying types hold strings).</summary>
    private static IEnumerable<string> Strings(RecordField field) =>
        (field.Value ?? []).Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!);
}
