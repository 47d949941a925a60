using System.Globalization;
using System.Numerics;

namespace OnDeviceReco.Protocol;

/// <summary>
/// NIST P-256 (FIPS 186-4, D.1.2.3) point arithmetic in Jacobian coordinates over <see cref="BigInteger"/>, for
/// <see cref="ManagedP256Key"/>. Not constant-time, which is sound only because it is used for verification alone:
/// every input (public key, signature, message hash) is public, so timing reveals nothing secret.
/// </summary>
internal static class P256Curve
{
    public static readonly BigInteger P = Hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
    public static readonly BigInteger N = Hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    public static readonly BigInteger B = Hex("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");
    public static readonly JacobianPoint G = new(
        Hex("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"),
        Hex("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"),
        BigInteger.One);

    /// <summary>Whether (x, y) is a point of the curve (y² = x³ − 3x + b), with both coordinates reduced mod p.</summary>
    public static bool IsOnCurve(BigInteger x, BigInteger y)
    {
        if (x.Sign < 0 || x >= P || y.Sign < 0 || y >= P) return false;
        return Mod(y * y) == Mod(x * x * x - 3 * x + B);
    }

    /// <summary>u1·G + u2·Q in one pass over the bits (Shamir's trick).</summary>
    public static JacobianPoint MultiplyAdd(BigInteger u1, BigInteger u2, JacobianPoint q)
    {
        JacobianPoint both = Add(G, q);
        JacobianPoint result = JacobianPoint.Infinity;
        for (int bit = (int)Math.Max(u1.GetBitLength(), u2.GetBitLength()) - 1; bit >= 0; bit--)
        {
            result = Double(result);
            bool takeG = !(u1 >> bit).IsEven, takeQ = !(u2 >> bit).IsEven;
            if (takeG && takeQ) result = Add(result, both);
            else if (takeG) result = Add(result, G);
            else if (takeQ) result = Add(result, q);
        }
        return result;
    }

    /// <summary>The affine x coordinate of a point other than infinity.</summary>
    public static BigInteger AffineX(JacobianPoint point)
    {
        BigInteger zInverse = BigInteger.ModPow(point.Z, P - 2, P);
        return Mod(point.X * zInverse * zInverse);
    }

    // dbl-2001-b (a = −3).
    private static JacobianPoint Double(JacobianPoint p)
    {
        if (p.IsInfinity || p.Y.IsZero) return JacobianPoint.Infinity;
        BigInteger delta = Mod(p.Z * p.Z);
        BigInteger gamma = Mod(p.Y * p.Y);
        BigInteger beta = Mod(p.X * gamma);
        BigInteger alpha = Mod(3 * (p.X - delta) * (p.X + delta));
        BigInteger x3 = Mod(alpha * alpha - 8 * beta);
        BigInteger z3 = Mod((p.Y + p.Z) * (p.Y + p.Z) - gamma - delta);
        BigInteger y3 = Mod(alpha * (4 * beta - x3) - 8 * gamma * gamma);
        return new JacobianPoint(x3, y3, z3);
    }

    // add-1998-cmo-2, with the equal and opposite cases it leaves out.
    private static JacobianPoint Add(JacobianPoint p, JacobianPoint q)
    {
        if (p.IsInfinity) return q;
        if (q.IsInfinity) return p;
        BigInteger z1z1 = Mod(p.Z * p.Z), z2z2 = Mod(q.Z * q.Z);
        BigInteger u1 = Mod(p.X * z2z2), u2 = Mod(q.X * z1z1);
        BigInteger s1 = Mod(p.Y * q.Z * z2z2), s2 = Mod(q.Y * p.Z * z1z1);
        BigInteger h = Mod(u2 - u1), r = Mod(s2 - s1);
        if (h.IsZero) return r.IsZero ? Double(p) : JacobianPoint.Infinity;
        BigInteger hh = Mod(h * h), hhh = Mod(hh * h), v = Mod(u1 * hh);
        BigInteger x3 = Mod(r * r - hhh - 2 * v);
        BigInteger y3 = Mod(r * (v - x3) - s1 * hhh);
        BigInteger z3 = Mod(p.Z * q.Z * h);
        return new JacobianPoint(x3, y3, z3);
    }

    private static BigInteger Mod(BigInteger value)
    {
        BigInteger r = BigInteger.Remainder(value, P);
        return r.Sign < 0 ? r + P : r;
    }

    private static BigInteger Hex(string digits) => BigInteger.Parse("0" + digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
}
