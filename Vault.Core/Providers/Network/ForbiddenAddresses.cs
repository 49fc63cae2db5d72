using System.Net;
using System.Net.Sockets;

namespace Vault.Core.Providers.Network;

/// <summary>
/// Addresses a provider call must never reach: loopback, private, shared (CGNAT), link-local (cloud metadata lives there),
/// unique-local, multicast, unspecified, and the Azure platform endpoint. Keeps a user-supplied server URL from being
/// turned against our own network (SSRF).
/// </summary>
public static class ForbiddenAddresses
{
    private static readonly (IPAddress Network, int PrefixLength)[] Ranges =
    [
        (IPAddress.Parse("0.0.0.0"), 8),
        (IPAddress.Parse("10.0.0.0"), 8),
        (IPAddress.Parse("100.64.0.0"), 10),
        (IPAddress.Parse("127.0.0.0"), 8),
        (IPAddress.Parse("169.254.0.0"), 16),
        (IPAddress.Parse("172.16.0.0"), 12),
        (IPAddress.Parse("192.0.0.0"), 24),
        (IPAddress.Parse("192.168.0.0"), 16),
        (IPAddress.Parse("198.18.0.0"), 15),
        (IPAddress.Parse("224.0.0.0"), 4),
        (IPAddress.Parse("240.0.0.0"), 4),
        (IPAddress.Parse("168.63.129.16"), 32),
        (IPAddress.Parse("::"), 128),
        (IPAddress.Parse("::1"), 128),
        (IPAddress.Parse("fc00::"), 7),
        (IPAddress.Parse("fe80::"), 10),
        (IPAddress.Parse("fec0::"), 10),
        (IPAddress.Parse("ff00::"), 8),
        (IPAddress.Parse("64:ff9b::"), 96),
        (IPAddress.Parse("2001:db8::"), 32),
    ];

    public static bool IsForbidden(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var (network, prefixLength) in Ranges)
        {
            if (network.AddressFamily == address.AddressFamily && InRange(address, network, prefixLength))
            {
                return true;
            }
        }

        return false;
    }

    private static bool InRange(IPAddress address, IPAddress network, int prefixLength)
    {
        Span<byte> a = stackalloc byte[16];
        Span<byte> n = stackalloc byte[16];
        address.TryWriteBytes(a, out var length);
        network.TryWriteBytes(n, out _);
        var fullBytes = prefixLength / 8;
        if (!a[..fullBytes].SequenceEqual(n[..fullBytes]))
        {
            return false;
        }

        var remainingBits = prefixLength % 8;
        if (remainingBits == 0 || fullBytes >= length)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - remainingBits));
        return (a[fullBytes] & mask) == (n[fullBytes] & mask);
    }

    internal static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    internal static bool IsIpLiteral(string host, out IPAddress address) =>
        IPAddress.TryParse(host.Trim('[', ']'), out address!) &&
        (address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6);
}
