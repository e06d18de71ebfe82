#!/usr/bin/env python3
"""Derive comuni.tsv from ANPR_archivio_comuni.csv (CC-BY 4.0, italia/anpr).

Usage: python3 make_comuni.py ../../../../shared/reference/codicefiscale/ANPR_archivio_comuni.csv > comuni.tsv

Keeps the currently valid (STATO=A) comuni of Veneto, and the provincial
capitals and large cities of the rest of Italy, with a birthplace weight:
Padova itself dominates (its hospitals), then the province of Padova, the
rest of Veneto, and the cities people move to Padova from.
"""
import csv, sys

# Capitals and large cities outside Veneto, with a rough weight (population
# and migration towards the north-east).
CITIES = {
    "ROMA": 60, "MILANO": 40, "NAPOLI": 70, "TORINO": 25, "PALERMO": 50, "GENOVA": 15,
    "BOLOGNA": 25, "FIRENZE": 15, "BARI": 35, "CATANIA": 30, "MESSINA": 20, "TRIESTE": 20,
    "TARANTO": 20, "BRESCIA": 12, "PRATO": 5, "PARMA": 8, "MODENA": 8, "REGGIO DI CALABRIA": 25,
    "REGGIO NELL'EMILIA": 6, "PERUGIA": 6, "LIVORNO": 5, "RAVENNA": 8, "CAGLIARI": 12, "FOGGIA": 25,
    "RIMINI": 5, "SALERNO": 20, "FERRARA": 15, "SASSARI": 8, "LATINA": 6, "MONZA": 4, "SIRACUSA": 15,
    "PESCARA": 6, "BERGAMO": 8, "FORLÌ": 4, "TRENTO": 10, "BOLZANO": 6, "UDINE": 15, "PORDENONE": 12,
    "GORIZIA": 6, "ANCONA": 6, "LECCE": 20, "BRINDISI": 15, "COSENZA": 20, "CATANZARO": 15,
    "CROTONE": 12, "VIBO VALENTIA": 10, "POTENZA": 12, "MATERA": 10, "CASERTA": 15, "AVELLINO": 12,
    "BENEVENTO": 10, "CAMPOBASSO": 8, "ISERNIA": 4, "L'AQUILA": 5, "TERAMO": 4, "CHIETI": 5,
    "AGRIGENTO": 15, "CALTANISSETTA": 10, "ENNA": 8, "RAGUSA": 8, "TRAPANI": 12, "NUORO": 4,
    "ORISTANO": 3, "MANTOVA": 8, "CREMONA": 4, "LODI": 2, "PAVIA": 4, "VARESE": 4, "COMO": 4,
    "LECCO": 3, "SONDRIO": 2, "NOVARA": 3, "VERCELLI": 2, "BIELLA": 2, "ASTI": 2, "ALESSANDRIA": 3,
    "CUNEO": 2, "AOSTA": 2, "IMPERIA": 2, "SAVONA": 2, "LA SPEZIA": 3, "MASSA": 2, "CARRARA": 2,
    "LUCCA": 3, "PISA": 4, "PISTOIA": 2, "AREZZO": 3, "SIENA": 3, "GROSSETO": 2, "PIACENZA": 3,
    "TERNI": 3, "MACERATA": 3, "PESARO": 3, "ASCOLI PICENO": 3, "FERMO": 2, "FROSINONE": 4,
    "RIETI": 2, "VITERBO": 3, "ANDRIA": 8, "BARLETTA": 8, "TRANI": 5, "TORRE DEL GRECO": 8,
    "GIUGLIANO IN CAMPANIA": 6, "MARSALA": 5, "GELA": 6,
}
VENETO_CAPITALS = {"VENEZIA": 40, "VERONA": 25, "VICENZA": 30, "TREVISO": 30, "ROVIGO": 30, "BELLUNO": 10}
PADOVA = "G224"

rows = []
with open(sys.argv[1], encoding="utf-8-sig") as f:
    for r in csv.DictReader(f):
        if r["STATO"] != "A":
            continue
        name, prov, code = r["DENOMINAZIONE_IT"], r["SIGLAPROVINCIA"], r["CODCATASTALE"]
        if code == PADOVA:
            w = 6000
        elif prov == "PD":
            w = 40
        elif r["IDREGIONE"] == "05":
            w = VENETO_CAPITALS.get(name, 4)
        elif name in CITIES:
            w = CITIES[name]
        else:
            continue
        rows.append((code, name, prov, w))
rows.sort()
missing = set(CITIES) - {r[1] for r in rows}
if missing:
    sys.exit("not found: %s" % sorted(missing))
print("# code\tname\tprovince\tweight — derived from ANPR_archivio_comuni.csv (CC-BY 4.0) by make_comuni.py")
for r in rows:
    print("%s\t%s\t%s\t%d" % r)
