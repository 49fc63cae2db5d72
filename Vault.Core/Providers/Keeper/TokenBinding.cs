using Microsoft.Extensions.Logging;
using Vault.Core.Providers.Keeper.Crypto;

namespace Vault.Core.Providers.Keeper;

/// <summary>
/// Makes binding a one-time token safe against a lost answer (docs/keeper-protocol.md §4). Before the binding request
/// leaves, the device key made for the token is written to the <see cref="IPendingBindingStore"/> (a failure there sends
/// nothing); the app key joins it when the answer arrives. A connect with the same token finds that record and binds
/// with the same key, the same client id, so a binding whose answer was lost is completed rather than refused; once
/// bound, the record alone suffices and no binding request is sent again. The record goes when the first sync from the
/// stored connection succeeds (the connection holds the device from then on), or when Keeper refuses the token.
/// </summary>
internal sealed class TokenBinding(IPendingBindingStore store, string accountId, KeeperDevice device)
{
    private readonly string _name = PendingBinding.NameFor(accountId, device.ClientId);
    private PendingBinding? _pending;

    /// <summary>A one-time token (not a configuration, not a stored connection's device).</summary>
    private bool IsToken => !device.IsBound && device.PrivateKey is null;

    /// <summary>The device came from a stored connection that still has a pending record to remove.</summary>
    public bool FromStoredConnection => device is { IsBound: true, PendingBinding: true };

    /// <summary>The device to send with: a token's gets its kept key (and app key, when its binding finished), or a new key kept first.</summary>
    public async Task<KeeperDevice> PrepareAsync(CancellationToken ct)
    {
        if (!IsToken)
        {
            return device;
        }

        var clientKey = KeeperBase64.Decode(device.ClientKey);
        var stored = await store.GetAsync(_name, ct).ConfigureAwait(false);
        _pending = stored is null ? null : PendingBinding.Open(stored, clientKey, _name);
        if (_pending is null)
        {
            var pending = new PendingBinding { PrivateKey = KeeperBase64.Encode(KeeperCrypto.NewPrivateKey()) };
            if (!await store.SetAsync(_name, pending.Seal(clientKey, _name), ct).ConfigureAwait(false))
            {
                // Its pending record was removed before: the binding was handed to a connection, or Keeper refused it.
                throw new ProviderRejectedCredentialsException("The one-time token was used already (its binding was completed or refused).");
            }

            _pending = pending;
        }

        return device with
        {
            PrivateKey = _pending.PrivateKey,
            AppKey = _pending.AppKey,
            ClientKey = _pending.AppKey is null ? device.ClientKey : null,
            AppOwnerPublicKey = _pending.AppOwnerPublicKey,
            ServerPublicKeyId = _pending.ServerPublicKeyId ?? device.ServerPublicKeyId,
            PendingBinding = true,
        };
    }

    /// <summary>Keeps the app key the binding returned beside the device key (best effort: the connection is about to hold both).</summary>
    public async Task RecordBoundAsync(KeeperDevice bound, ILogger logger, CancellationToken ct)
    {
        if (_pending is null)
        {
            return;
        }

        try
        {
            var record = _pending with { AppKey = bound.AppKey, AppOwnerPublicKey = bound.AppOwnerPublicKey, ServerPublicKeyId = bound.ServerPublicKeyId };
            await store.SetAsync(_name, record.Seal(KeeperBase64.Decode(device.ClientKey), _name), ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("The Keeper binding's app key could not be kept beside its device key ({ErrorType}); the connection keeps it", ex.GetType().Name);
        }
    }

    /// <summary>Removes the pending record; false when that failed (it is tried again at the next sync).</summary>
    public async Task<bool> ForgetQuietlyAsync(ILogger logger, CancellationToken ct)
    {
        try
        {
            await store.DeleteAsync(_name, ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("The pending Keeper binding could not be removed ({ErrorType}); the next sync tries again", ex.GetType().Name);
            return false;
        }
    }

    /// <summary>After Keeper refused a token: its kept key will never be of use.</summary>
    public async Task DiscardQuietlyAsync(ILogger logger)
    {
        if (IsToken && _pending is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await ForgetQuietlyAsync(logger, cts.Token).ConfigureAwait(false);
        }
    }
}
