namespace VisionGrpo.Distributed;

/// <summary>
/// The predefined MPI handles this binding uses. MPI fixes their names, not their values: Open MPI's
/// <c>MPI_COMM_WORLD</c>, <c>MPI_DOUBLE</c>, <c>MPI_SUM</c>… are addresses of global objects in <c>libmpi</c>
/// (<c>&amp;ompi_mpi_comm_world</c>), while MPICH and its derivatives (Intel MPI, MVAPICH, Cray MPICH) use fixed integer
/// constants. Both are passed as one pointer-sized argument: an <c>int</c> handle in a 64-bit register is read back
/// correctly by the callee on x86-64 and arm64.
/// </summary>
/// <param name="Implementation">"Open MPI" or "MPICH".</param>
/// <param name="CommWorld"><c>MPI_COMM_WORLD</c>.</param>
/// <param name="Byte"><c>MPI_BYTE</c>.</param>
/// <param name="Int"><c>MPI_INT</c>.</param>
/// <param name="Float"><c>MPI_FLOAT</c>.</param>
/// <param name="Double"><c>MPI_DOUBLE</c>.</param>
/// <param name="LongLong"><c>MPI_LONG_LONG</c> (64-bit integers).</param>
/// <param name="Sum"><c>MPI_SUM</c>.</param>
/// <param name="Max"><c>MPI_MAX</c>.</param>
public sealed record MpiHandles(string Implementation, nint CommWorld, nint Byte, nint Int, nint Float, nint Double, nint LongLong, nint Sum, nint Max)
{
    /// <summary>MPICH's ABI (mpi.h): integer handles, the same in every MPICH-derived library.</summary>
    public static MpiHandles Mpich { get; } = new("MPICH", CommWorld: 0x44000000, Byte: 0x4c00010d, Int: 0x4c000405,
        Float: 0x4c00040a, Double: 0x4c00080b, LongLong: 0x4c000809, Sum: 0x58000003, Max: 0x58000001);

    /// <summary>
    /// Open MPI's handles: the addresses of its predefined objects, looked up in the loaded library by
    /// <paramref name="symbol"/>; null when the library is not Open MPI (it lacks <c>ompi_mpi_comm_world</c>).
    /// </summary>
    public static MpiHandles? OpenMpi(Func<string, nint> symbol)
    {
        nint world = symbol("ompi_mpi_comm_world");
        if (world == 0) return null;
        nint Required(string name) => symbol(name) is var address and not 0 ? address
            : throw new MpiException($"the Open MPI library has ompi_mpi_comm_world but not {name}; it is not an Open MPI this binding knows (4.x and 5.x are supported).");
        return new("Open MPI", world, Required("ompi_mpi_byte"), Required("ompi_mpi_int"), Required("ompi_mpi_float"),
            Required("ompi_mpi_double"), Required("ompi_mpi_long_long_int"), Required("ompi_mpi_op_sum"), Required("ompi_mpi_op_max"));
    }
}
