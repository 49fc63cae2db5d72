using System.Globalization;

namespace Vault.Core.Accounts;

/// <summary>
/// Row keys of the usage table (partition = account). Times are UTC and fixed-width, so every tier is a range:
/// <c>c|yyyyMMddHHmm|requestId</c> one row per billable call (insert-only, kept until its minute is rolled up),
/// <c>s|yyyyMMddHHmm|instance</c> an instance's count of the minute's calls (written with the call rows),
/// <c>m|yyyyMMddHHmm</c>, <c>h|yyyyMMddHH</c>, <c>d|yyyyMMdd</c> the minute, hour and day rollups, and <c>w</c> the
/// watermark: every call before it is in the rollups.
/// </summary>
internal static class UsageKeys
{
    public const string CallPrefix = "c|";
    public const string ShardPrefix = "s|";
    public const string MinutePrefix = "m|";
    public const string HourPrefix = "h|";
    public const string DayPrefix = "d|";
    public const string WatermarkRow = "w";

    private const string MinuteFormat = "yyyyMMddHHmm";

    public static string Call(DateTime minute, string requestId) => CallPrefix + Minute(minute) + "|" + requestId;

    public static string Shard(DateTime minute, string instance) => ShardPrefix + Minute(minute) + "|" + instance;

    public static string Minute(DateTime minute) => minute.ToString(MinuteFormat, CultureInfo.InvariantCulture);

    /// <summary>The key of <paramref name="at"/> in a tier: its first 8 (day), 10 (hour) or 12 (minute) digits.</summary>
    public static string Key(string prefix, DateTime at) => prefix + Minute(at)[..Digits(prefix)];

    private static int Digits(string prefix) => prefix switch
    {
        DayPrefix => 8,
        HourPrefix => 10,
        _ => 12,
    };

    public static DateTime ParseMinute(string digits) =>
        DateTime.ParseExact(digits, MinuteFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>The minute of a call, counter or minute rollup row.</summary>
    public static DateTime MinuteOfRow(string rowKey) => ParseMinute(rowKey.Substring(2, 12));

    public static DateTime FloorMinute(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);

    public static DateTime FloorHour(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);
}
