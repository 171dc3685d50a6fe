# What the whole front end's WASM holds, by crate and by function, from the linker's symbol table
# (the module cargo-leptos builds before `--split` cuts it into the main module and its chunks,
# which keeps its symbols for the split; the shipped modules keep no names).
#
#   python3 end2end/wasm-sizes.py target/front/wasm32-unknown-unknown/wasm-release/app.wasm
#
# Or the main module alone, built with names (`strip = false` in `[profile.wasm-release]`, for the
# measure only): `app_split.wasm` beside it then has a name section, read the same way.
import re, sys, collections
b = open(sys.argv[1], 'rb').read()
def leb(i):
    r = s = 0
    while True:
        x = b[i]; i += 1; r |= (x & 0x7f) << s; s += 7
        if x < 0x80: return r, i
def name(i):
    n, i = leb(i); return b[i:i+n].decode('utf8', 'replace'), i + n
i = 8; secs = []
while i < len(b):
    sid = b[i]; i += 1; size, i = leb(i); secs.append((sid, i, i + size)); i += size
imported = 0
for sid, s, e in secs:
    if sid == 2:
        n, i = leb(s)
        for _ in range(n):
            _, i = name(i); _, i = name(i); kind = b[i]; i += 1
            if kind == 0: _, i = leb(i); imported += 1
            elif kind == 1: i += 1; fl, i = leb(i); _, i = leb(i); i = leb(i)[1] if fl & 1 else i
            elif kind == 2: fl, i = leb(i); _, i = leb(i); i = leb(i)[1] if fl & 1 else i
            elif kind == 3: i += 2
            elif kind == 4: i += 1; _, i = leb(i)
code = {}
for sid, s, e in secs:
    if sid == 10:
        n, i = leb(s)
        for k in range(n):
            size, j = leb(i); code[imported + k] = j + size - i; i = j + size
fnames = {}; data = []
for sid, s, e in secs:
    if sid == 0:
        nm, i = name(s)
        if nm == 'name':
            i2 = i
            while i2 < e:
                sub = b[i2]; i2 += 1; size, i2 = leb(i2); end = i2 + size
                if sub == 1:
                    n, j = leb(i2)
                    for _ in range(n):
                        idx, j = leb(j); nm2, j = name(j); fnames[idx] = nm2
                i2 = end
            continue
        if nm != 'linking': continue
        _, i = leb(i)
        while i < e:
            sub = b[i]; i += 1; size, i = leb(i); end = i + size
            if sub == 8:
                n, i = leb(i)
                for _ in range(n):
                    kind = b[i]; i += 1; flags, i = leb(i)
                    if kind in (0, 2, 4, 5):
                        idx, i = leb(i)
                        if not (flags & 0x10) or (flags & 0x40):
                            nm2, i = name(i)
                            if kind == 0: fnames[idx] = nm2
                    elif kind == 1:
                        nm2, i = name(i)
                        if not (flags & 0x10):
                            _, i = leb(i); _, i = leb(i); sz, i = leb(i); data.append((nm2, sz))
                    elif kind == 3:
                        _, i = leb(i)
            i = end
def crate(n):
    m = re.match(r'_ZN(\d+)(.*)', n)
    if not m: return n.split('::')[0][:30]
    seg = m.group(2)[:int(m.group(1))]
    if seg.startswith('_$LT$'):
        seg = seg[5:]
        seg = seg.split('..')[0].split('$')[0]
    return seg.split('..')[0] or '?'
def crate2(n):
    d = demangle(n)
    m = re.search(r'Cs[0-9A-Za-z]+_(\d+)([A-Za-z_0-9]+)', n)
    if n.startswith('_R') and m: return m.group(2)[:int(m.group(1))]
    d = re.sub(r'^[_<&]*(mut )?<?', '', d)
    return re.split(r'::|<| ', d)[0] or '?'
def demangle(n):
    m = re.match(r'_ZN(.*)E$', n)
    if not m: return n
    rest = m.group(1); out = []
    while rest and rest[0].isdigit():
        k = re.match(r'(\d+)', rest).group(1); l = int(k); rest = rest[len(k):]
        out.append(rest[:l]); rest = rest[l:]
    s = '::'.join(p for p in out if not re.fullmatch(r'h[0-9a-f]{16}', p))
    for a, c in [('$LT$', '<'), ('$GT$', '>'), ('$u20$', ' '), ('..', '::'), ('$RF$', '&'), ('$C$', ','), ('$u7b$', '{'), ('$u7d$', '}')]:
        s = s.replace(a, c)
    return s
by = collections.Counter(); total = 0
for idx, sz in code.items():
    by[crate2(fnames.get(idx, "?"))] += sz; total += sz
print(f'code: {total} bytes in {len(code)} functions')
for c, sz in by.most_common(25): print(f'  {sz:>9}  {100*sz/total:5.1f} %  {c}')
print('largest functions:')
for idx, sz in sorted(code.items(), key=lambda x: -x[1])[:25]:
    print(f'  {sz:>9}  {demangle(fnames.get(idx, "?"))[:140]}')
dby = collections.Counter(); dt = 0
for nm2, sz in data: dby[crate(nm2)] += sz; dt += sz
print(f'data: {dt} bytes in {len(data)} symbols')
for c, sz in dby.most_common(12): print(f'  {sz:>9}  {100*sz/max(dt,1):5.1f} %  {c}')
print('largest data:')
for nm2, sz in sorted(data, key=lambda x: -x[1])[:12]: print(f'  {sz:>9}  {demangle(nm2)[:120]}')

mods = collections.Counter()
for idx, sz in code.items():
    d = demangle(fnames.get(idx, '?'))
    m = re.match(r'[_<&]*(?:mut )?<?app::((?:ui::(?:pages::|kit::)?)?[a-z_]+)', d)
    if m: mods[m.group(1)] += sz
if mods:
    print('app code by module:')
    for c, sz in mods.most_common(25): print(f'  {sz:>9}  app::{c}')
