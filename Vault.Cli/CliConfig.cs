using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vault.Cli;

/// <summary>
/// The service URL and API key: from VAULT_URL and VAULT_API_KEY, else from the file <c>vault login</c> wrote
/// ($XDG_CONFIG_HOME/vault/config.json or ~/.config/vault/config.json, readable by its user only).
/// </summary>
public sealed record CliConfig(string Url, string? ApiKey)
{
    public static string FilePath(CliIo io)
    {
        var root = io.Environment("XDG_CONFIG_HOME");
        if (string.IsNullOrEmpty(root))
        {
            root = Path.Combine(io.Environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        }

        return Path.Combine(root, "vault", "config.json");
    }

    public static CliConfig Load(CliIo io)
    {
        StoredConfig? stored = null;
        var path = FilePath(io);
        if (File.Exists(path))
        {
            stored = JsonSerializer.Deserialize(File.ReadAllText(path), CliJson.Default.StoredConfig);
        }

        var url = io.Environment("VAULT_URL");
        var key = io.Environment("VAULT_API_KEY");
        return new CliConfig(
            !string.IsNullOrEmpty(url) ? url : stored?.Url ?? Vault.Client.VaultApi.DefaultUrl,
            !string.IsNullOrEmpty(key) ? key : stored?.ApiKey);
    }

    /// <summary>Writes the file with mode 600 from its creation (and its folder 700), so the key is never readable by others.</summary>
    public void Save(CliIo io)
    {
        var path = FilePath(io);
        var directory = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, new StoredConfig(Url, ApiKey), CliJson.Default.StoredConfig);
        }

        File.Move(temporary, path, overwrite: true);
    }
}

public sealed record StoredConfig(string Url, string? ApiKey);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(StoredConfig))]
internal sealed partial class CliJson : JsonSerializerContext;
