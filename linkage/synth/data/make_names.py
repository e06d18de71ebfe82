#!/usr/bin/env python3
"""Write given_names.tsv and surnames.tsv: Italian names ranked by rough
frequency (hand-compiled, with a Veneto flavour for surnames), weighted by
Zipf's law, plus the long tail of given names with sex from
python-codicefiscale's names.json (MIT, see LICENSE_python-codicefiscale.txt).

Usage: python3 make_names.py ../../../../shared/reference/codicefiscale/names_python-codicefiscale.json
"""
import json, sys

def zipf(names, scale=10000, s=1.0, k=0):
    """Zipf–Mandelbrot weights: scale / (rank + k)^s. The offset k flattens
    the head, so that a list of a few hundred names does not give the first
    one an unrealistic share of the population."""
    return [(n, max(1, round(scale / (i + 1 + k) ** s))) for i, n in enumerate(names)]

GIVEN = {
    ("M", "old"): """Giuseppe Giovanni Antonio Mario Luigi Bruno Franco Angelo Pietro Carlo Giorgio Sergio Renato
        Francesco Gino Guido Aldo Luciano Giancarlo Gianni Vittorio Silvano Adriano Dino Umberto Livio Attilio
        Elio Ferruccio Gianfranco Lino Lorenzo Paolo Roberto Alberto Ernesto Armando Enzo Cesare Bortolo Severino
        Danilo Nicolò Romano Ugo Walter Tullio Rino Primo Natale Emilio Italo Remo Mirco Oreste""",
    ("F", "old"): """Maria Anna Giuseppina Rosa Angela Giovanna Teresa Lucia Carmela Luigia Bruna Franca Gabriella
        Maria_Teresa Anna_Maria Maria_Grazia Antonietta Elena Graziella Liliana Rita Silvana Luciana Marisa
        Giuliana Lidia Rina Elsa Ines Lina Vittoria Paola Carla Elisabetta Ida Iolanda Margherita Wanda
        Adriana Loredana Mirella Nives Gemma Esterina Amalia Pierina Assunta Agnese Clara Dina Fernanda
        Norma Oriana Renata Santina Bianca Maria_Luisa Rosanna""",
    ("M", "mid"): """Andrea Marco Alessandro Luca Francesco Stefano Massimo Roberto Paolo Giuseppe Davide Simone
        Matteo Fabio Daniele Alberto Maurizio Michele Antonio Giovanni Claudio Federico Enrico Riccardo Nicola
        Emanuele Fabrizio Mauro Giorgio Filippo Mattia Diego Cristian Gianluca Pierpaolo Gian_Marco Gianmarco
        Mirko Ivan Denis Manuel Nicolò Niccolò Omar Sandro Luigi Pietro Igor Samuele Alessio Gabriele
        Gian_Luca Pier_Luigi""",
    ("F", "mid"): """Francesca Elena Chiara Sara Laura Silvia Valentina Federica Paola Alessandra Giulia Martina
        Monica Cristina Barbara Elisa Roberta Anna Michela Daniela Marta Ilaria Serena Claudia Manuela
        Maria_Grazia Mariagrazia Stefania Simona Erika Veronica Valeria Eleonora Lucia Giovanna Sabrina
        Arianna Jessica Tiziana Lisa Beatrice Anna_Maria Annalisa Nicoletta Luisa Katia Debora Marika
        Emanuela Antonella Patrizia Irene Maria_Chiara""",
    ("M", "young"): """Leonardo Francesco Alessandro Lorenzo Mattia Andrea Gabriele Riccardo Tommaso Edoardo Matteo
        Giuseppe Nicolò Niccolò Federico Pietro Giovanni Filippo Diego Davide Samuele Michele Marco Christian
        Luca Simone Elia Alessio Emanuele Giacomo Jacopo Thomas Daniele Manuel Gioele Enea Achille Giulio
        Cesare Noah Kevin Nicola Enrico Giorgio Raffaele Luigi Ettore Denis Stefano Alberto Gian_Maria""",
    ("F", "young"): """Sofia Giulia Aurora Alice Ginevra Emma Giorgia Greta Beatrice Anna Martina Chiara Sara
        Vittoria Matilde Noemi Nicole Ludovica Gaia Elisa Francesca Arianna Camilla Rebecca Elena Bianca Asia
        Irene Alessia Marta Federica Valentina Laura Viola Miriam Adele Carlotta Benedetta Giada Eleonora
        Ilaria Angelica Desirée Jennifer Maria_Vittoria Anna_Chiara Mia Cecilia Caterina Lucia Margherita
        Agnese""",
}

SURNAMES = """Rossi Schiavon Zanella Pavan Carraro Ferro Gallo Zanon Bertin Scarpa Zanetti Marcato Rizzo
    Tosato Boscolo Trevisan Zambon Barbiero Mazzucato Milan Benetti Baldan Bettio Cecchinato Pettenuzzo
    Pegoraro Salmaso Pierobon Toffanin Zanin Zago Sartori Fabris Ferrari Russo Bianchi Romano Colombo
    Ricci Marino Greco Bruno Conti Esposito De_Luca Michelotto Pinton Nalesso Favaro Rampazzo Bison
    Bortolato Tonello Berto Brunello Voltan Visentin Zorzi Cappellato Masiero Crivellaro Dainese Garbin
    Lazzarin Martin Moro Nardo Panizzolo Penello Rigoni Rubin Scapin Sartorato Schiavo Stocco Tonin Varotto
    Vettore Zampieri Zuin Baldo Benetazzo Bertolin Boldrin Bressan Callegaro Campagnaro Cavinato Ceccato
    Checchin Corradin Dalla_Libera Dal_Santo Da_Ros De_Marchi Donà Facco Faggian Fassina Ferraresso
    Frasson Giacomini Greggio Griggio Lago Marangon Menegazzo Michieletto Nicoletti Pasqualetto Pellizzari
    Piva Quaggio Righetto Rizzato Sanavia Scarso Simonetto Soranzo Stefani Tasinato Tognon Trovò Vianello
    Zanchin Zorzetto Mancini Costa Giordano Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi
    Caruso Ferrara Galli Martini Leone Longo Gentile Martinelli Vitale Lombardo Serra Coppola De_Santis
    D'Angelo Marchetti Parisi Villa Conte Ferraro Ferri Fabbri Bianco Marini Grasso Valentini Messina Sala
    De_Angelis Gatti Pellegrini Palumbo Sanna Farina Rizzi Monti Cattaneo Morelli Amato Silvestri Mazza
    Testa Grassi Pellegrino Carbone Giuliani Benedetti Barone Rossetti Caputo Montanari Guerra Palmieri
    Bernardi Martino Fiore De_Rosa Ferretti Bellini Basile Riva Donati Piras Vitali Battaglia Neri
    Costantini Milani Pagano Ruggiero Sorrentino D'Amico Orlando Negri Lo_Presti Di_Stefano D'Agostino
    Dalla_Costa Dal_Bianco Lo_Russo La_Rosa Dell'Acqua Baù Bortolami Cazzaro Tommasin Spinello Borella
    Bano Pertile Dal_Prà Agostini Toniolo Marchiori Meneghetti Busato Beghin Cagnin Gobbo Sgarbossa
    Furlan Tessari Zilio Pizzato Salvan Gasparini Benetton Carturan Galiazzo Lovato Fiorin Pasquato
    Bergamin Pozzobon Munari Fracasso Guarise Mattiazzo Ruzza Zoccarato Bellin Cortelazzo Mason Tiozzo
    Vallotto Semenzato Cesaro Chinellato Bottaro Brugnaro Pasqualin Peron Danieli Scattolin Barison
    Polato Zaramella Zecchinato Zennaro Dalla_Valle De_Poli Dal_Pozzo Dal_Maso Di_Lorenzo D'Alessandro
    Lo_Giudice Lazzaro Nicolò Fantò Tognazzo Bortoli Canton Crema Bacchin Bolzonella Boschetto Campello
    Cognolato Dalla_Pozza Finotto Garbo Lunardi Marcon Menin Pagin Rizzo Sinigaglia Targa Variolo Zaghetto"""

def words(block):
    out, seen = [], set()
    for w in block.split():
        w = w.replace("_", " ")
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out

tail = json.load(open(sys.argv[1], encoding="utf-8"))
with open("given_names.tsv", "w", encoding="utf-8") as f:
    f.write("# sex\tcohort\tname\tweight — hand-ranked Italian given names by birth cohort (old <1960, mid 1960-89, young >=1990), Zipf-Mandelbrot weights (rank offset 10);\n")
    f.write("# cohort * is the long tail from python-codicefiscale names.json (MIT, see LICENSE_python-codicefiscale.txt). Written by make_names.py.\n")
    for (sex, cohort), block in GIVEN.items():
        for n, w in zipf(words(block), scale=20000, k=10):
            f.write("%s\t%s\t%s\t%d\n" % (sex, cohort, n, w))
    for sex in ("M", "F"):
        ranked = {n for (s, _), b in GIVEN.items() if s == sex for n in words(b)}
        for n in tail[sex]:
            if n not in ranked:
                f.write("%s\t*\t%s\t%d\n" % (sex, n, 5))
with open("surnames.tsv", "w", encoding="utf-8") as f:
    f.write("# surname\tweight — hand-ranked Italian surnames with a Padova/Veneto flavour, Zipf-Mandelbrot weights (rank offset 40). Written by make_names.py.\n")
    for n, w in zipf(words(SURNAMES), scale=100000, k=40):
        f.write("%s\t%d\n" % (n, w))
