using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Vault.Core.Providers.Network;

/// <summary>
/// The socket-level handler for provider calls. It resolves the host itself and connects only to an address that is
/// allowed, so the check applies to the address actually connected to (DNS rebinding cannot slip past a pre-check).
/// With a private CA it validates the server chain against that CA only.
/// </summary>
public static class GuardedHandler
{
    public static SocketsHttpHandler Create(bool allowPrivateHosts, X509Certificate2? privateCa)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate | DecompressionMethods.Brotli,
            ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, allowPrivateHosts, ct),

            // Our distributed-trace ids (traceparent, Request-Id) are no business of a third-party provider.
            ActivityHeadersPropagator = null,
        };

        if (privateCa is not null)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => ValidateWithPrivateCa(certificate, errors, privateCa),
            };
        }

        return handler;
    }

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, bool allowPrivateHosts, CancellationToken ct)
    {
        var addresses = ForbiddenAddresses.IsIpLiteral(endPoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endPoint.Host, ct).ConfigureAwait(false);

        var allowed = allowPrivateHosts ? addresses : addresses.Where(a => !ForbiddenAddresses.IsForbidden(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new OutboundAddressForbiddenException(endPoint.Host);
        }

        Exception? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endPoint.Port), ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostUnreachable);
    }

    private static bool ValidateWithPrivateCa(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 privateCa)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        // A name mismatch or a missing certificate is never excused; only the chain is judged against the private CA.
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(privateCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
