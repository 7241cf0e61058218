"""Word lists the people generator draws from: first names, surnames, nicknames, places.

These are common words, not records of anyone: first names and surnames that are
frequent in England and Wales, the nicknames people use for some of them, and
postcode districts of a few cities. Lists run from most to least common; the
generator gives each a Zipf-like weight so that a few names are shared by many people,
as in real data. Surnames beyond the common ones are made from the syllables below,
so that there is a long tail of rarer names too.
"""

from __future__ import annotations

MALE_FIRST_NAMES = (
    "John David Michael James Paul Mark Andrew Peter Richard Robert Stephen Christopher "
    "Daniel Thomas William Matthew Anthony Jonathan Simon Lee Ian Gary Kevin Darren "
    "Steven Craig Jason Adam Ryan Liam Jack Joshua Luke Callum Connor Jordan Kieran "
    "Nathan Ben Samuel Joseph George Harry Charlie Oliver Alexander Nicholas Martin "
    "Graham Neil Carl Wayne Dean Shaun Scott Philip Keith Brian Alan Colin Barry Terry "
    "Dennis Raymond Kenneth Edward Patrick Sean Aaron Jamie Dale Ashley Bradley Lewis "
    "Reece Kyle Tyler Jake Owen Rhys Dylan Ethan Mohammed Ali Ahmed Hassan Imran Omar "
    "Tariq Bilal Adrian Russell Stuart Gareth Glenn Trevor Roger Malcolm Derek Frank "
    "Stanley Leonard Albert Arthur Harold Frederick Victor Henry Douglas Gordon Norman "
    "Howard Clive Nigel Vincent Damian Dominic Marcus Jerome Leon Tristan Declan Toby "
    "Benjamin Timothy Max Archie Alfie Freddie Louis Isaac Elliot Spencer Mason Kai Jayden Brandon Cameron "
    "Finley Harvey Logan Morgan Jesse Joel Elliott Gavin Lloyd Duncan Hugh Fraser Ross "
    "Grant Calum Euan Ewan Rory Conor Niall Ciaran Eoin Aidan Cormac Dafydd Gethin Iwan "
    "Emyr Rhodri Tomasz Piotr Marek Andrzej Krzysztof Pawel Lukasz Mateusz Ionut "
    "Florin Mihai Bogdan Vasile Kwame Kofi Tunde Emeka Chinedu Musa Abdul Yusuf Ibrahim "
    "Suleiman Rajesh Sanjay Vijay Arjun Rohan Amit Sunil Deepak"
).split()

FEMALE_FIRST_NAMES = (
    "Sarah Emma Claire Lisa Laura Rebecca Amy Nicola Michelle Kelly Samantha Gemma "
    "Joanne Hannah Jessica Charlotte Sophie Katie Lauren Danielle Stacey Leanne Donna "
    "Karen Julie Susan Tracey Deborah Elizabeth Margaret Patricia Jennifer Victoria "
    "Catherine Katherine Helen Louise Natalie Amanda Rachel Zoe Chloe Megan Ellie "
    "Georgia Holly Jade Shannon Courtney Paige Bethany Abigail Olivia Emily Lucy Grace "
    "Ruby Mia Amelia Isabella Caitlin Kayleigh Chelsea Naomi Jasmine Aisha Fatima "
    "Ayesha Zainab Maryam Amina Priya Anita Sunita Deepa Joanna Agnieszka Magdalena "
    "Katarzyna Anna Maria Elena Ioana Andreea Chioma Ngozi Adaeze Alison Angela Carol "
    "Christine Diane Jacqueline Janet Linda Pauline Sandra Sharon Wendy Yvonne Alexandra "
    "Marie Kirsty Shona Fiona Morag Eilidh Siobhan Niamh Aoife Ciara Sian Cerys Ffion "
    "Bethan Rhiannon"
).split()

# Surnames in roughly their order of frequency: the head of the distribution.
SURNAMES = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts "
    "Robinson Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke "
    "Patel Jackson Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker "
    "Harrison Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young "
    "Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy "
    "Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson "
    "Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews "
    "Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens "
    "Jenkins Murray Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard "
    "Andrews Stewart Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West "
    "Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton O'Brien Watts Rose "
    "Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hale Hudson Newman Barrett "
    "Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone "
    "Reid Holland Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy Williamson "
    "Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton "
    "Burns Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne "
    "Sutton McDonald Yates Hodgson Robson Curtis Hopkins O'Connor Harper Coleman Watkins "
    "Moss McCarthy Chambers Griffin Sharp Hardy Wheeler Potter Osborne Johnston Gordon "
    "Doyle Wallace George Jordan Hutchinson Rowe Burke May Pritchard Gilbert Willis "
    "Higgins Read Miles Stevenson Stephenson Hammond Arnold Buckley Walters Hewitt "
    "Barber Nelson Slater Austin Sullivan Whitehead Mann Frost Lambert Stephens Blake "
    "Akhtar Lynch Goodwin Barton Woodward Thomson Cunningham Quinn Barnett Baxter Bibi "
    "Clayton Nash Greenwood Jennings Holt Kemp Poole Gallagher Bond Stokes Tucker Davidson "
    "Fowler Heath Norman Middleton Lawson Banks French Stanley Jarvis Gibbs Ferguson "
    "Hayward Carroll Douglas Dickinson Todd Barlow Peters Lucas Knowles Hartley Miah "
    "Simmons Morton Alexander Field Morrison Norris Townsend Preston Hancock Thornton "
    "Baldwin Burrows Briggs Storey Pugh Nowak Kowalski Wisniewski Popescu Okafor Adeyemi "
    "Mensah Osei Chowdhury Rahman Islam Uddin Sharma Kumar Gupta Mistry Chauhan Parmar"
).split()

# Syllables that make the long tail of rarer surnames (Ash + worth = Ashworth).
SURNAME_STARTS = (
    "Ash Brad Brom Cal Chad Crom Dal Dun Eld Fair Farn Gar Glad Hal Hars Hep Kel Kirk "
    "Lang Led Lind Mar Mel Mid Nor Oak Ock Pen Prest Rad Rams Read Rid Ros Sal Shel Sher "
    "Stan Stock Sud Thorn Tid Wad Wal War Wen Whin Wim Win Wood Yar Brig Cres Dray Fen "
    "Gos Hay Ing Lock Mal Nether Pick Rother Sand Tat Ux Ver Wick"
).split()
SURNAME_ENDS = (
    "worth ley ton field ford wood by ham well more ridge stead bury land son den dale "
    "cliffe hurst wick thorpe shaw combe low ford burn holme berry mere ock ing kin"
).split()

# Nicknames: a person known as Robert in one system may be Bob or Rob in another.
NICKNAMES = {
    "William": ("Bill", "Will", "Billy"),
    "Robert": ("Bob", "Rob", "Bobby"),
    "Richard": ("Rich", "Dick", "Richie"),
    "James": ("Jim", "Jimmy", "Jamie"),
    "Michael": ("Mike", "Mick", "Mickey"),
    "Thomas": ("Tom", "Tommy"),
    "Anthony": ("Tony", "Ant"),
    "Christopher": ("Chris", "Kit"),
    "Daniel": ("Dan", "Danny"),
    "Joseph": ("Joe", "Joey"),
    "Edward": ("Ed", "Ted", "Eddie"),
    "Stephen": ("Steve", "Stevie"),
    "Steven": ("Steve", "Stevie"),
    "Matthew": ("Matt", "Matty"),
    "Andrew": ("Andy", "Drew"),
    "David": ("Dave", "Davey"),
    "Peter": ("Pete",),
    "Samuel": ("Sam", "Sammy"),
    "Benjamin": ("Ben",),
    "Jonathan": ("Jon", "Jonny"),
    "Nicholas": ("Nick", "Nicky"),
    "Alexander": ("Alex", "Sandy"),
    "Kenneth": ("Ken", "Kenny"),
    "Raymond": ("Ray",),
    "Terry": ("Tel",),
    "Frederick": ("Fred", "Freddie"),
    "Henry": ("Harry", "Hal"),
    "Harold": ("Harry",),
    "Leonard": ("Len", "Lenny"),
    "Douglas": ("Doug",),
    "Patrick": ("Pat", "Paddy"),
    "Philip": ("Phil",),
    "Timothy": ("Tim",),
    "Gareth": ("Gaz",),
    "Gary": ("Gaz",),
    "Mohammed": ("Mo",),
    "Joshua": ("Josh",),
    "Nathan": ("Nate",),
    "Isaac": ("Zac",),
    "Elizabeth": ("Liz", "Beth", "Lizzie"),
    "Margaret": ("Maggie", "Peggy", "Meg"),
    "Katherine": ("Kate", "Kathy", "Katie"),
    "Catherine": ("Cath", "Cathy", "Kate"),
    "Jennifer": ("Jen", "Jenny"),
    "Rebecca": ("Becky", "Becca"),
    "Victoria": ("Vicky", "Tori"),
    "Susan": ("Sue", "Susie"),
    "Deborah": ("Debbie", "Deb"),
    "Patricia": ("Pat", "Trish"),
    "Jessica": ("Jess",),
    "Samantha": ("Sam", "Sammy"),
    "Charlotte": ("Charlie", "Lottie"),
    "Alexandra": ("Alex", "Lexi"),
    "Jacqueline": ("Jackie",),
    "Christine": ("Chris", "Chrissie"),
    "Abigail": ("Abbie", "Abby"),
    "Amanda": ("Mandy",),
    "Joanne": ("Jo",),
    "Joanna": ("Jo",),
    "Nicola": ("Nicki", "Nikki"),
    "Natalie": ("Nat",),
    "Danielle": ("Dani",),
    "Stacey": ("Stace",),
    "Pauline": ("Paula",),
}

# Postcode districts of a few cities, with a weight for how many people live there.
POSTCODE_DISTRICTS = (
    ("B", range(1, 45), 10),
    ("M", range(1, 41), 8),
    ("LS", range(1, 29), 6),
    ("L", range(1, 39), 6),
    ("S", range(1, 36), 5),
    ("BS", range(1, 41), 5),
    ("NE", range(1, 40), 5),
    ("NG", range(1, 26), 4),
    ("LE", range(1, 19), 4),
    ("CF", range(3, 25), 4),
    ("BD", range(1, 24), 3),
    ("HU", range(1, 20), 3),
    ("ST", range(1, 21), 3),
    ("CV", range(1, 13), 3),
    ("PL", range(1, 10), 2),
    ("SR", range(1, 9), 2),
    ("E", range(1, 19), 6),
    ("N", range(1, 23), 5),
    ("SE", range(1, 29), 7),
    ("SW", range(1, 21), 5),
)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters an inward code uses
