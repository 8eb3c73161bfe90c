using System.Runtime.InteropServices;

namespace Federation.Storage.Postgres;

/// <summary>
/// Tells whether we run as root, because PostgreSQL refuses to run as root and must then be run as a service user.
/// </summary>
internal static class UnixIdentity
{
    public static bool IsRoot => !OperatingSystem.IsWindows() && NativeMethods.geteuid() == 0;

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "geteuid")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks for the whole project; this call has no marshalling.
        internal static extern uint geteuid();
#pragma warning restore SYSLIB1054
    }
}
