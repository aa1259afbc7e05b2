using System.Globalization;
using System.Runtime.InteropServices;

namespace Buildx.Core.Store;

/// <summary>
/// This machine as Go names it (<c>runtime.GOOS</c>/<c>GOARCH</c>), for <c>--platform local</c>
/// and for platform specifiers that name only an OS or only an architecture.
/// </summary>
internal static class HostPlatform
{
    public static string OS
    {
        get
        {
            if (OperatingSystem.IsWindows())
            {
                return "windows";
            }

            if (OperatingSystem.IsMacOS())
            {
                return "darwin";
            }

            if (OperatingSystem.IsFreeBSD())
            {
                return "freebsd";
            }

            return "linux";
        }
    }

    public static string Architecture => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm or System.Runtime.InteropServices.Architecture.Armv6 => "arm",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        System.Runtime.InteropServices.Architecture.LoongArch64 => "loong64",
        System.Runtime.InteropServices.Architecture.Wasm => "wasm",
        var other => other.ToString().ToLowerInvariant(), // RiscV64 (newer .NET) → riscv64
    };

    /// <summary>
    /// The CPU variant containerd reports. It reads /proc/cpuinfo; .NET only tells ARMv6 from later
    /// 32-bit ARM, so 32-bit ARM is taken as v7 (the common case) and arm64 as v8 (normalized away).
    /// </summary>
    public static string Variant => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Armv6 => "v6",
        System.Runtime.InteropServices.Architecture.Arm => "v7",
        System.Runtime.InteropServices.Architecture.Arm64 => "v8",
        _ => string.Empty,
    };

    /// <summary>containerd's <c>platforms.DefaultSpec()</c>: on Windows it carries the OS build.</summary>
    public static OciPlatform DefaultSpec()
    {
        var platform = new OciPlatform { OS = OS, Architecture = Architecture, Variant = Variant };
        if (OperatingSystem.IsWindows())
        {
            var version = Environment.OSVersion.Version;
            platform.OSVersion = string.Create(CultureInfo.InvariantCulture, $"{version.Major}.{version.Minor}.{version.Build}");
        }

        return platform;
    }
}
