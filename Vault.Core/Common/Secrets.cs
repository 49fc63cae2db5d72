using System.Security.Cryptography;
using System.Text;

namespace Vault.Core.Common;

public static class ConstantTime
{
    /// <summary>Compares two strings without leaking where they differ.</summary>
    public static bool Equals(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return false;
        }

        var ha = SHA256.HashData(Encoding.UTF8.GetBytes(a));
        var hb = SHA256.HashData(Encoding.UTF8.GetBytes(b));
        return CryptographicOperations.FixedTimeEquals(ha, hb);
    }
}
