#!/usr/bin/env python3
"""Converts Natural Earth's 1:110m land (public domain), as carried by the npm package
world-atlas 2 (land-110m.json, TopoJSON), into server/data/land-110m.txt: one ring per line,
"lon,lat" pairs with one decimal separated by spaces. The server projects and draws these.

Usage: npm pack world-atlas@2 && tar xzf world-atlas-2.*.tgz
       python3 scripts/convert_land.py package/land-110m.json > server/data/land-110m.txt
"""
import json
import sys

topo = json.load(open(sys.argv[1]))
sx, sy = topo["transform"]["scale"]
tx, ty = topo["transform"]["translate"]
arcs = []
for arc in topo["arcs"]:
    x = y = 0
    pts = []
    for dx, dy in arc:
        x += dx
        y += dy
        pts.append((x * sx + tx, y * sy + ty))
    arcs.append(pts)


def arc_points(i):
    return arcs[i] if i >= 0 else list(reversed(arcs[~i]))


print("# Natural Earth 1:110m land (public domain), via world-atlas 2; see scripts/convert_land.py")
for geom in topo["objects"]["land"]["geometries"]:
    polys = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
    for poly in polys:
        for ring in poly:
            pts = []
            for i in ring:
                p = arc_points(i)
                pts.extend(p if not pts else p[1:])
            out = []
            for lon, lat in pts:
                s = f"{lon:.1f},{lat:.1f}"
                if not out or out[-1] != s:
                    out.append(s)
            if len(out) >= 4:
                print(" ".join(out))
