using System.Numerics;

namespace OnDeviceReco.Protocol;

/// <summary>A P-256 point (X/Z², Y/Z³); Z = 0 is the point at infinity.</summary>
internal readonly record struct JacobianPoint(BigInteger X, BigInteger Y, BigInteger Z)
{
    public static JacobianPoint Infinity => new(BigInteger.One, BigInteger.One, BigInteger.Zero);

    public bool IsInfinity => Z.IsZero;
}
