# Independent reference of swd's token positions (aes256-cmac-lanes).
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import hashes, cmac
from cryptography.hazmat.primitives.ciphers import algorithms
M=(1<<64)-1
def key(secret,label):
    return HKDF(algorithm=hashes.SHA256(),length=32,salt=None,info=label.encode()).derive(secret)
def tag(k,msg):
    c=cmac.CMAC(algorithms.AES(k)); c.update(msg); return c.finalize()
def mix(z):
    z=((z^(z>>30))*0xbf58476d1ce4e5b9)&M
    z=((z^(z>>27))*0x94d049bb133111eb)&M
    return z^(z>>31)
def rotl(x,k): return ((x<<k)|(x>>(64-k)))&M
class X:
    def __init__(s,t):
        lo=int.from_bytes(t[:8],'little'); hi=int.from_bytes(t[8:],'little')
        s.s=[lo,hi,mix(lo),mix(hi^0x9e3779b97f4a7c15)]
    def next(s):
        s0,s1,s2,s3=s.s
        r=(rotl((s1*5)&M,7)*9)&M
        t=(s1<<17)&M
        s2^=s0; s3^=s1; s1^=s2; s0^=s3; s2^=t; s3=rotl(s3,45)
        s.s=[s0,s1,s2,s3]; return r
def draw(x,n,k):
    out=[]
    pow2 = n&(n-1)==0
    while len(out)<k:
        v=x.next()
        if pow2:
            sh=16-(n.bit_length()-1)
            for j in range(4):
                if len(out)<k: out.append(((v>>(16*j))&0xffff)>>sh)
        else:
            for j in range(2):
                if len(out)<k: out.append((((v>>(32*j))&0xffffffff)*n)>>32)
    return out
secret=bytes(range(32))
for field,tok,n,k,cn,ck in [("surname","_R",512,20,1024,15),("dob","y:1985",256,20,960,15),("surname","1985\x1fRO",512,20,1024,15)]:
    x=X(tag(key(secret,"swd/v1/field/"+field),tok.encode()))
    print(field,repr(tok),draw(x,n,k),draw(x,cn,ck))
