# gen_legacy_vectors.py — regenerates the legacy password-hash vectors of
# tests/unit/test_auth.c independently of the C code (python3 standard
# library only: hashlib, hmac, base64, crypt). The phpass implementation
# below is checked against the published hashcat example hash (mode 400).
import hashlib, hmac, base64, crypt, warnings
warnings.filterwarnings("ignore")
itoa64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
def enc64(b, count):
    out=''; i=0
    while True:
        v=b[i]; i+=1
        out+=itoa64[v&0x3f]
        if i<count: v|=b[i]<<8
        out+=itoa64[(v>>6)&0x3f]
        if i>=count: break
        i+=1
        if i<count: v|=b[i]<<16
        out+=itoa64[(v>>12)&0x3f]
        if i>=count: break
        i+=1
        out+=itoa64[(v>>18)&0x3f]
        if not i<count: break
    return out
def phpass(pw, setting):
    pw=pw.encode()
    count=1<<itoa64.index(setting[3]); salt=setting[4:12].encode()
    h=hashlib.md5(salt+pw).digest()
    for _ in range(count): h=hashlib.md5(h+pw).digest()
    return setting[:12]+enc64(h,16)
print("hashcat check:", phpass("hashcat","$P$984478476"), "== $P$984478476IagS59wHZvyQMArzfx58u.")
print("phpass jp:", phpass("やまぐち県民🌸pass","$P$BabcdefgH"))
print("phpass H:", phpass("phpbb-pass-1","$H$9zyxwvuts"))
b=crypt.crypt("correct horse 1", "$2b$10$abcdefghijklmnopqrstuu")
print("bcrypt:", b)
pre=base64.b64encode(hmac.new(b"wp-sha384","ワードプレス-pw-6.8".encode(),"sha384").digest()).decode()
w=crypt.crypt(pre, "$2b$10$ZYXWVUTSRQPONMLKJIHGFe")
print("wp:", "$wp$2y"+w[3:])
