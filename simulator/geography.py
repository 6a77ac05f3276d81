"""Where care units are placed: towns per region with real municipality codes.

Coordinates are approximate town centres and populations rounded (thousands),
enough to put units in plausible places and name them after their town. Only
the larger towns of each region are listed; units are spread over them by
population.
"""

from __future__ import annotations

from typing import NamedTuple


class Place(NamedTuple):
    kommunkod: str
    town: str
    latitude: float
    longitude: float
    population_k: float


PLACES: dict[str, tuple[Place, ...]] = {
    "01": (
        Place("0180", "Stockholm", 59.33, 18.07, 985),
        Place("0126", "Huddinge", 59.24, 17.98, 115),
        Place("0182", "Nacka", 59.31, 18.16, 110),
        Place("0181", "Södertälje", 59.20, 17.63, 100),
        Place("0127", "Botkyrka", 59.20, 17.83, 95),
        Place("0184", "Solna", 59.36, 18.00, 85),
        Place("0123", "Järfälla", 59.42, 17.83, 85),
        Place("0160", "Täby", 59.44, 18.07, 75),
        Place("0163", "Sollentuna", 59.43, 17.95, 75),
        Place("0188", "Norrtälje", 59.76, 18.70, 63),
        Place("0183", "Sundbyberg", 59.36, 17.97, 55),
        Place("0191", "Sigtuna", 59.62, 17.72, 50),
        Place("0186", "Lidingö", 59.37, 18.13, 48),
    ),
    "03": (
        Place("0380", "Uppsala", 59.86, 17.64, 245),
        Place("0381", "Enköping", 59.64, 17.08, 47),
        Place("0360", "Tierp", 60.34, 17.51, 21),
        Place("0382", "Östhammar", 60.26, 18.37, 22),
        Place("0305", "Bålsta", 59.57, 17.53, 22),
        Place("0331", "Heby", 59.94, 16.86, 14),
    ),
    "04": (
        Place("0484", "Eskilstuna", 59.37, 16.51, 107),
        Place("0480", "Nyköping", 58.75, 17.01, 58),
        Place("0486", "Strängnäs", 59.38, 17.03, 38),
        Place("0483", "Katrineholm", 58.99, 16.21, 35),
        Place("0482", "Flen", 59.06, 16.59, 16),
        Place("0481", "Oxelösund", 58.67, 17.10, 12),
    ),
    "05": (
        Place("0580", "Linköping", 58.41, 15.62, 167),
        Place("0581", "Norrköping", 58.59, 16.19, 145),
        Place("0583", "Motala", 58.54, 15.04, 44),
        Place("0586", "Mjölby", 58.32, 15.13, 28),
        Place("0562", "Finspång", 58.71, 15.77, 22),
        Place("0582", "Söderköping", 58.48, 16.32, 15),
    ),
    "06": (
        Place("0680", "Jönköping", 57.78, 14.16, 145),
        Place("0683", "Värnamo", 57.19, 14.04, 35),
        Place("0682", "Nässjö", 57.65, 14.69, 31),
        Place("0662", "Gislaved", 57.30, 13.54, 29),
        Place("0687", "Tranås", 58.04, 14.98, 19),
        Place("0686", "Eksjö", 57.67, 14.97, 17),
    ),
    "07": (
        Place("0780", "Växjö", 56.88, 14.81, 97),
        Place("0781", "Ljungby", 56.83, 13.94, 28),
        Place("0764", "Alvesta", 56.90, 14.56, 20),
        Place("0765", "Älmhult", 56.55, 14.14, 18),
    ),
    "08": (
        Place("0880", "Kalmar", 56.66, 16.36, 71),
        Place("0883", "Västervik", 57.76, 16.64, 36),
        Place("0882", "Oskarshamn", 57.26, 16.45, 27),
        Place("0881", "Nybro", 56.74, 15.91, 20),
        Place("0884", "Vimmerby", 57.67, 15.86, 16),
        Place("0885", "Borgholm", 56.88, 16.65, 11),
    ),
    "09": (
        Place("0980", "Visby", 57.64, 18.30, 25),
        Place("0980", "Hemse", 57.24, 18.37, 5),
        Place("0980", "Slite", 57.70, 18.80, 4),
        Place("0980", "Klintehamn", 57.39, 18.20, 3),
    ),
    "10": (
        Place("1080", "Karlskrona", 56.16, 15.59, 67),
        Place("1081", "Ronneby", 56.21, 15.28, 29),
        Place("1082", "Karlshamn", 56.17, 14.86, 32),
        Place("1083", "Sölvesborg", 56.05, 14.58, 18),
        Place("1060", "Olofström", 56.28, 14.53, 13),
    ),
    "12": (
        Place("1280", "Malmö", 55.60, 13.00, 360),
        Place("1283", "Helsingborg", 56.05, 12.69, 150),
        Place("1281", "Lund", 55.70, 13.19, 130),
        Place("1290", "Kristianstad", 56.03, 14.16, 87),
        Place("1282", "Landskrona", 55.87, 12.83, 47),
        Place("1287", "Trelleborg", 55.38, 13.16, 47),
        Place("1293", "Hässleholm", 56.16, 13.77, 53),
        Place("1292", "Ängelholm", 56.24, 12.86, 43),
        Place("1286", "Ystad", 55.43, 13.82, 31),
    ),
    "13": (
        Place("1380", "Halmstad", 56.67, 12.86, 105),
        Place("1384", "Kungsbacka", 57.49, 12.08, 86),
        Place("1383", "Varberg", 57.11, 12.25, 68),
        Place("1382", "Falkenberg", 56.90, 12.49, 47),
        Place("1381", "Laholm", 56.51, 13.04, 26),
    ),
    "14": (
        Place("1480", "Göteborg", 57.71, 11.97, 600),
        Place("1490", "Borås", 57.72, 12.94, 115),
        Place("1481", "Mölndal", 57.66, 12.01, 71),
        Place("1488", "Trollhättan", 58.28, 12.29, 60),
        Place("1496", "Skövde", 58.39, 13.85, 57),
        Place("1485", "Uddevalla", 58.35, 11.94, 57),
        Place("1494", "Lidköping", 58.50, 13.16, 40),
        Place("1489", "Alingsås", 57.93, 12.53, 42),
        Place("1487", "Vänersborg", 58.38, 12.32, 40),
    ),
    "17": (
        Place("1780", "Karlstad", 59.38, 13.50, 96),
        Place("1781", "Kristinehamn", 59.31, 14.11, 24),
        Place("1784", "Arvika", 59.66, 12.59, 26),
        Place("1785", "Säffle", 59.13, 12.93, 15),
        Place("1783", "Hagfors", 60.03, 13.69, 11),
        Place("1782", "Filipstad", 59.71, 14.17, 10),
    ),
    "18": (
        Place("1880", "Örebro", 59.27, 15.21, 160),
        Place("1883", "Karlskoga", 59.33, 14.52, 30),
        Place("1885", "Lindesberg", 59.59, 15.23, 23),
        Place("1881", "Kumla", 59.13, 15.14, 22),
        Place("1882", "Askersund", 58.88, 14.90, 11),
    ),
    "19": (
        Place("1980", "Västerås", 59.61, 16.55, 158),
        Place("1983", "Köping", 59.51, 15.99, 26),
        Place("1981", "Sala", 59.92, 16.61, 23),
        Place("1982", "Fagersta", 60.00, 15.79, 13),
        Place("1984", "Arboga", 59.39, 15.84, 14),
    ),
    "20": (
        Place("2080", "Falun", 60.61, 15.63, 60),
        Place("2081", "Borlänge", 60.48, 15.44, 53),
        Place("2085", "Ludvika", 60.15, 15.19, 26),
        Place("2062", "Mora", 61.00, 14.54, 20),
        Place("2084", "Avesta", 60.14, 16.17, 23),
        Place("2083", "Hedemora", 60.28, 15.99, 15),
    ),
    "21": (
        Place("2180", "Gävle", 60.67, 17.14, 103),
        Place("2181", "Sandviken", 60.62, 16.78, 39),
        Place("2184", "Hudiksvall", 61.73, 17.10, 37),
        Place("2183", "Bollnäs", 61.35, 16.39, 26),
        Place("2182", "Söderhamn", 61.30, 17.06, 25),
    ),
    "22": (
        Place("2281", "Sundsvall", 62.39, 17.31, 100),
        Place("2284", "Örnsköldsvik", 63.29, 18.72, 56),
        Place("2280", "Härnösand", 62.63, 17.94, 25),
        Place("2262", "Timrå", 62.49, 17.33, 18),
        Place("2282", "Kramfors", 62.93, 17.78, 18),
        Place("2283", "Sollefteå", 63.17, 17.27, 19),
    ),
    "23": (
        Place("2380", "Östersund", 63.18, 14.64, 65),
        Place("2309", "Krokom", 63.33, 14.46, 15),
        Place("2313", "Strömsund", 63.85, 15.56, 11),
        Place("2321", "Åre", 63.40, 13.08, 12),
        Place("2361", "Sveg", 62.03, 14.36, 10),
    ),
    "24": (
        Place("2480", "Umeå", 63.83, 20.26, 132),
        Place("2482", "Skellefteå", 64.75, 20.95, 75),
        Place("2481", "Lycksele", 64.60, 18.67, 12),
        Place("2460", "Vännäs", 63.91, 19.75, 9),
        Place("2462", "Vilhelmina", 64.62, 16.66, 7),
    ),
    "25": (
        Place("2580", "Luleå", 65.58, 22.15, 80),
        Place("2581", "Piteå", 65.32, 21.48, 42),
        Place("2582", "Boden", 65.83, 21.69, 28),
        Place("2584", "Kiruna", 67.86, 20.23, 22),
        Place("2523", "Gällivare", 67.13, 20.66, 17),
        Place("2583", "Haparanda", 65.84, 24.14, 10),
    ),
}

# Neighbourhood-like names for telling apart the units of one town: a few plain
# ones first ("Centrum" is what the first clinic in a town is usually called),
# then compounds.
_PLAIN_AREAS = ("Centrum", "Norr", "Söder", "Öster", "Väster", "Stationen", "Torget", "Hamnen")
_AREA_STEMS = ("Björk", "Ek", "Lind", "Sjö", "Berg", "Ås", "Dal", "Hag", "Strand", "Sol",
               "Vik", "Äng", "Gran", "Tall", "Ro", "Kvarn", "Ny", "Al", "Lönn", "Sand")
_AREA_ENDINGS = ("backen", "dalen", "gården", "parken", "hagen", "ängen", "berga", "lund",
                 "holmen", "höjden", "torp", "vallen", "sta")
AREA_NAMES: tuple[str, ...] = _PLAIN_AREAS + tuple(
    stem + ending for ending in _AREA_ENDINGS for stem in _AREA_STEMS
)

# Regions in the north call their primary care centres "hälsocentral".
HALSOCENTRAL_REGIONS = frozenset({"21", "22", "23", "24", "25"})
