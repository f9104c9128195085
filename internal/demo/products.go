package demo

// demoCategories are the demo shop's categories: slug, name, description.
var demoCategories = [][3]string{
	{"vitamins", "Vitamins & supplements", "Daily vitamins, minerals and supplements for the whole family."},
	{"diabetes-care", "Diabetes care", "Glucose meters, test strips, lancets, pen needles and everyday diabetes supplies."},
	{"mobility", "Mobility & daily living", "Canes, walkers, wheelchairs, bath safety and aids for daily living."},
	{"first-aid", "First aid", "Bandages, dressings, antiseptics and kits for home, car and work."},
	{"prescription", "Prescription medicines", "Order online; our pharmacists verify your prescription before anything ships."},
	{"pain-relief", "Pain relief", "Relief for headaches, muscle and joint pain, and fever."},
	{"cold-flu", "Cold, flu & allergy", "Cough, cold, sinus and allergy relief."},
	{"monitors", "Home monitors & tests", "Blood pressure monitors, thermometers, pulse oximeters and home test kits."},
	{"skin-care", "Skin care", "Creams, sun care and treatments for sensitive and problem skin."},
}

// demoProducts lists the demo products per category, one per line:
// name | brand | tags | variants (option:price in cents:stock, comma separated) | flags (rx, hsa)
var demoProducts = map[string]string{
	"vitamins": `Vitamin D3 1000 IU|Salve Basics|bone,immune|90 softgels:799:40,180 softgels:1299:25|hsa
Vitamin D3 5000 IU|NatureWell|bone,immune|60 softgels:999:30,120 softgels:1699:12|hsa
Vitamin C 500 mg|Salve Basics|immune,antioxidant|100 tablets:699:50,250 tablets:1399:20|hsa
Vitamin C 1000 mg with Rose Hips|NatureWell|immune,antioxidant|100 tablets:1099:15|hsa
Vitamin B12 1000 mcg|Salve Basics|energy|60 lozenges:899:35,120 lozenges:1499:10|hsa
B-Complex with Vitamin C|NatureWell|energy|100 caplets:1199:18|hsa
Folic Acid 400 mcg|Salve Basics|prenatal|250 tablets:599:60|hsa
Iron 65 mg|Salve Basics|blood|100 tablets:699:0|hsa
Calcium 600 mg + D3|Salve Basics|bone|120 tablets:1099:22,240 tablets:1799:8|hsa
Magnesium Glycinate 200 mg|NatureWell|sleep,muscle|120 capsules:1599:14|hsa
Zinc 50 mg|Salve Basics|immune|100 tablets:599:45|hsa
Omega-3 Fish Oil 1000 mg|NatureWell|heart|120 softgels:1499:26,240 softgels:2499:9|hsa
Multivitamin Men's 50+|Salve Basics|daily|100 tablets:1299:30|hsa
Multivitamin Women's|Salve Basics|daily|100 tablets:1299:28|hsa
Prenatal Multivitamin with DHA|NatureWell|prenatal,daily|60 softgels:2199:16|hsa
Probiotic 10 Billion CFU|NatureWell|digestive|30 capsules:1899:12,60 capsules:3199:4|hsa
Biotin 5000 mcg|Salve Basics|hair,skin|120 softgels:999:0|
Melatonin 3 mg|Salve Basics|sleep|120 tablets:599:55|
Vitamin E 400 IU|NatureWell|antioxidant|100 softgels:1099:13|hsa
Potassium Gluconate 99 mg|Salve Basics|heart,muscle|100 caplets:499:40|hsa
Turmeric Curcumin 500 mg|NatureWell|joint|90 capsules:1799:11|
Elderberry Gummies|NatureWell|immune,gummies|60 gummies:1399:20|
Children's Chewable Multivitamin|Salve Basics|kids,daily|120 chewables:999:33|hsa
CoQ10 100 mg|NatureWell|heart,energy|60 softgels:2299:7|hsa`,
	"diabetes-care": `GlucoSure Glucose Meter|GlucoSure|glucose,meter|Meter kit:2499:15|hsa
AccuLevel Bluetooth Glucose Meter|AccuLevel|glucose,meter,bluetooth|Meter kit:3999:9|hsa
OneStep Talking Glucose Meter|OneStep|glucose,meter|Meter kit:4499:3|hsa
GlucoSure Test Strips|GlucoSure|glucose,strips|25 strips:1499:40,50 strips:2699:35,100 strips:4999:20|hsa
AccuLevel Test Strips|AccuLevel|glucose,strips|50 strips:3299:25,100 strips:5999:12|hsa
OneStep Test Strips|OneStep|glucose,strips|50 strips:2999:0|hsa
Thin Lancets 30G|Salve Basics|glucose,lancets|100 lancets:699:80,200 lancets:1199:40|hsa
Ultra-Thin Lancets 33G|Salve Basics|glucose,lancets|100 lancets:799:60|hsa
Adjustable Lancing Device|GlucoSure|glucose,lancets|Device:1299:22|hsa
GlucoSure Control Solution|GlucoSure|glucose|Level 2:999:18|hsa
Pen Needles 32G 4 mm|Salve Basics|insulin,needles|100 needles:2199:30|hsa
Pen Needles 31G 5 mm|Salve Basics|insulin,needles|100 needles:2199:24|hsa
Pen Needles 31G 8 mm|Salve Basics|insulin,needles|100 needles:2099:10|hsa
Glucose Tablets Orange|Salve Basics|glucose,low-sugar|50 tablets:599:45|hsa
Glucose Tablets Raspberry|Salve Basics|glucose,low-sugar|50 tablets:599:38|hsa
Glucose Gel 15 g|Salve Basics|glucose,low-sugar|3 tubes:899:26|hsa
Continuous Glucose Monitor Sensor 14-day|AccuLevel|glucose,cgm|1 sensor:7999:14,3 sensors:22999:5|rx,hsa
Ketone Test Strips|Salve Basics|ketone,strips|50 strips:1199:19|hsa
Sharps Container 1 Quart|Salve Basics|sharps|1 container:499:50,3 containers:1299:20|hsa
Sharps Container Home 2 Gallon|Salve Basics|sharps|1 container:1299:11|hsa
Insulin Cooling Travel Case|CoolCase|insulin,travel|Case:2999:8|hsa
Diabetic Crew Socks|ComfortStep|socks,foot-care|Medium:1299:20,Large:1299:14,X-Large:1299:6|hsa
Diabetic Foot Cream with Urea|Salve Basics|foot-care,skin|4 oz:899:31|hsa
Blood Sugar Log Book|Salve Basics|glucose|1 book:399:70|
Insulin Syringes 0.5 mL 31G|Salve Basics|insulin,needles|100 syringes:2499:0|rx,hsa`,
	"mobility": `Folding Walking Cane|StrideRight|cane|Black:1999:20,Bronze:1999:12|hsa
Quad Cane with Small Base|StrideRight|cane|Standard:3499:8|hsa
Offset Handle Cane|StrideRight|cane|Standard:2299:15|hsa
Standard Folding Walker|StrideRight|walker|Adult:4999:9|hsa
Rollator Walker with Seat|StrideRight|walker,rollator|Red:12999:4,Blue:12999:6|hsa
Knee Scooter|StrideRight|scooter|Standard:17999:2|hsa
Lightweight Wheelchair 18 in|RollEase|wheelchair|18 in seat:24999:3|hsa
Transport Chair|RollEase|wheelchair|19 in seat:17999:0|hsa
Aluminum Crutches|StrideRight|crutches|Youth:3499:10,Adult:3999:12,Tall adult:3999:5|hsa
Shower Chair with Back|SafeBath|bath-safety|Standard:4499:14|hsa
Tub Transfer Bench|SafeBath|bath-safety|Standard:6999:6|hsa
Raised Toilet Seat with Arms|SafeBath|bath-safety|Standard:4999:9|hsa
Grab Bar Stainless|SafeBath|bath-safety|12 in:1999:25,18 in:2299:18,24 in:2699:12|hsa
Reacher Grabber 32 in|DailyAid|daily-living|Standard:1499:40|hsa
Sock Aid|DailyAid|daily-living|Standard:1299:22|hsa
Bed Assist Rail|DailyAid|bed|Standard:5999:7|hsa
Compression Stockings 15-20 mmHg|ComfortStep|compression|Small:2499:10,Medium:2499:16,Large:2499:9|hsa
Compression Stockings 20-30 mmHg|ComfortStep|compression|Small:3499:6,Medium:3499:11,Large:3499:4|hsa
Hinged Knee Brace|ComfortStep|brace,joint|S/M:3999:8,L/XL:3999:6|hsa
Wrist Brace with Splint|ComfortStep|brace|Left:1999:15,Right:1999:17|hsa
Lumbar Back Support Belt|ComfortStep|brace,back|S/M:2999:11,L/XL:2999:9|hsa
Gel Seat Cushion|ComfortStep|cushion|Standard:3499:13|hsa
Long-Handled Shoe Horn|DailyAid|daily-living|24 in:899:30|
Pill Crusher|DailyAid|daily-living|Standard:699:35|hsa
Cane Tip Replacement|StrideRight|cane|2 tips:799:50|hsa`,
	"first-aid": `Adhesive Bandages Assorted|Salve Basics|bandages,wound|100 count:499:80,200 count:899:40|hsa
Fabric Adhesive Bandages|Salve Basics|bandages,wound|60 count:599:50|hsa
Waterproof Bandages|Salve Basics|bandages,wound|40 count:549:45|hsa
Kids' Character Bandages|Salve Basics|bandages,kids|30 count:449:0|hsa
Sterile Gauze Pads 2 x 2 in|Salve Basics|gauze,wound|25 pads:399:60|hsa
Sterile Gauze Pads 4 x 4 in|Salve Basics|gauze,wound|25 pads:599:55|hsa
Rolled Gauze 3 in|Salve Basics|gauze,wound|2 rolls:449:40|hsa
Paper Medical Tape|Salve Basics|tape|1 in x 10 yd:349:70|hsa
Cloth Medical Tape|Salve Basics|tape|1 in x 10 yd:449:50|hsa
Elastic Bandage Wrap|Salve Basics|wrap,sprain|2 in:399:30,3 in:499:35,4 in:599:25|hsa
Antiseptic Wipes|Salve Basics|antiseptic,wound|100 wipes:599:65|hsa
Hydrogen Peroxide 3%|Salve Basics|antiseptic|16 fl oz:199:90|hsa
Isopropyl Alcohol 70%|Salve Basics|antiseptic|16 fl oz:249:85|hsa
Triple Antibiotic Ointment|Salve Basics|ointment,wound|1 oz:599:48|hsa
Burn Relief Gel|Salve Basics|burn|4 oz:699:22|hsa
First Aid Kit Compact|Salve Basics|kit|120 pieces:1499:18|hsa
First Aid Kit Family|Salve Basics|kit|250 pieces:2999:10|hsa
Workplace First Aid Kit|Salve Basics|kit,workplace|25 person:4999:5|hsa
Instant Cold Packs|Salve Basics|cold-therapy|4 packs:799:30|hsa
Reusable Hot/Cold Gel Pack|Salve Basics|cold-therapy,heat|Standard:899:24|hsa
Nitrile Exam Gloves|Salve Basics|gloves|Small:1299:20,Medium:1299:30,Large:1299:25|hsa
Saline Wound Wash|Salve Basics|wound|7.1 oz:699:28|hsa
Butterfly Wound Closures|Salve Basics|wound|20 strips:499:35|hsa
Finger Splint|Salve Basics|splint|Standard:599:19|hsa
Hydrocolloid Blister Bandages|Salve Basics|bandages,blister|10 count:699:0|hsa`,
	"prescription": `Metformin Tablets|Generic|diabetes,oral|500 mg (60 tablets):1200:100,850 mg (60 tablets):1400:80,1000 mg (60 tablets):1600:60|rx,hsa
Lisinopril Tablets|Generic|blood-pressure|10 mg (30 tablets):900:90,20 mg (30 tablets):1100:70|rx,hsa
Atorvastatin Tablets|Generic|cholesterol|10 mg (30 tablets):1000:80,20 mg (30 tablets):1200:75,40 mg (30 tablets):1500:50|rx,hsa
Amlodipine Tablets|Generic|blood-pressure|5 mg (30 tablets):800:85,10 mg (30 tablets):900:60|rx,hsa
Levothyroxine Tablets|Generic|thyroid|25 mcg (30 tablets):1000:40,50 mcg (30 tablets):1000:55,75 mcg (30 tablets):1000:35,100 mcg (30 tablets):1100:30|rx,hsa
Omeprazole Delayed-Release Capsules|Generic|stomach|20 mg (30 capsules):1300:70|rx,hsa
Sertraline Tablets|Generic|mental-health|50 mg (30 tablets):1100:45|rx,hsa
Amoxicillin Capsules|Generic|antibiotic|500 mg (21 capsules):900:50|rx,hsa
Insulin Glargine Pen|Generic|diabetes,insulin|5 pens 3 mL:9800:20|rx,hsa
Insulin Lispro Pen|Generic|diabetes,insulin|5 pens 3 mL:8900:15|rx,hsa
Albuterol Inhaler|Generic|asthma,inhaler|90 mcg 200 puffs:2500:30|rx,hsa
Losartan Tablets|Generic|blood-pressure|50 mg (30 tablets):1100:65|rx,hsa
Metoprolol Succinate ER Tablets|Generic|blood-pressure,heart|25 mg (30 tablets):1200:55|rx,hsa
Gabapentin Capsules|Generic|nerve-pain|300 mg (90 capsules):1800:40|rx,hsa
Prednisone Tablets|Generic|steroid|10 mg (21 tablets):800:0|rx,hsa
Montelukast Tablets|Generic|asthma,allergy|10 mg (30 tablets):1400:35|rx,hsa
Escitalopram Tablets|Generic|mental-health|10 mg (30 tablets):1200:40|rx,hsa
Hydrochlorothiazide Tablets|Generic|blood-pressure|25 mg (30 tablets):700:60|rx,hsa
Fluticasone Nasal Spray|Generic|allergy,nasal|50 mcg 120 sprays:1900:25|rx,hsa
Semaglutide Pen|Generic|diabetes|0.25 mg/0.5 mg starter pen:89900:4|rx,hsa
Epinephrine Auto-Injector|Generic|allergy,emergency|2-pack 0.3 mg:12900:10|rx,hsa
Glucagon Emergency Kit|Generic|diabetes,emergency|1 mg kit:14900:6|rx,hsa
Clopidogrel Tablets|Generic|heart|75 mg (30 tablets):1300:45|rx,hsa
Pantoprazole Delayed-Release Tablets|Generic|stomach|40 mg (30 tablets):1500:50|rx,hsa
Azithromycin Tablets|Generic|antibiotic|250 mg (6 tablets):1200:30|rx,hsa`,
	"pain-relief": `Acetaminophen 500 mg|Salve Basics|fever,headache|50 caplets:399:60,100 caplets:649:50,200 caplets:999:30|hsa
Ibuprofen 200 mg|Salve Basics|fever,inflammation|100 tablets:599:70,200 tablets:899:40|hsa
Naproxen Sodium 220 mg|Salve Basics|inflammation|100 tablets:799:45|hsa
Low Dose Aspirin 81 mg|Salve Basics|heart|120 tablets:499:80|hsa
Aspirin 325 mg|Salve Basics|headache|100 tablets:449:35|hsa
Children's Acetaminophen Liquid|Salve Basics|kids,fever|4 fl oz grape:699:25|hsa
Children's Ibuprofen Liquid|Salve Basics|kids,fever|4 fl oz berry:749:0|hsa
Lidocaine 4% Pain Relief Patches|Salve Basics|patch,back|5 patches:899:20|hsa
Menthol Pain Relief Gel|Salve Basics|muscle,gel|3 oz:699:30|hsa
Arthritis Pain 650 mg Extended Release|Salve Basics|joint,arthritis|100 caplets:999:28|hsa
Diclofenac Sodium Gel 1%|Salve Basics|joint,arthritis,gel|100 g:1199:22|hsa
Electric Heating Pad|WarmWell|heat,back|Standard:2999:12,XL:3999:7|hsa
TENS Unit Pain Relief Device|WarmWell|device,back|Standard:4999:5|hsa
Migraine Relief Caplets|Salve Basics|headache,migraine|100 caplets:899:18|hsa
Muscle Rub Cream|Salve Basics|muscle|4 oz:549:26|hsa
Back Pain Heat Wraps|WarmWell|heat,back|3 wraps:799:15|hsa
Foot Pain Gel Insoles|ComfortStep|foot-care|Men:1499:10,Women:1499:12|hsa
Cold Sore Treatment Cream|Salve Basics|lip|2 g:1599:9|hsa
Toothache Gel|Salve Basics|dental|0.25 oz:599:14|hsa
PM Pain Relief Caplets|Salve Basics|sleep,headache|100 caplets:849:21|hsa`,
	"cold-flu": `Cough Syrup DM|Salve Basics|cough|4 fl oz:699:35,8 fl oz:1099:20|hsa
Daytime Cold & Flu Liquid Caps|Salve Basics|cold,flu|24 caps:799:40|hsa
Nighttime Cold & Flu Liquid|Salve Basics|cold,flu,sleep|12 fl oz:999:25|hsa
Saline Nasal Spray|Salve Basics|nasal|1.5 fl oz:299:60|hsa
Nasal Decongestant Spray|Salve Basics|nasal,sinus|1 fl oz:599:30|hsa
Loratadine 10 mg|Salve Basics|allergy|30 tablets:699:50,90 tablets:1499:25|hsa
Cetirizine 10 mg|Salve Basics|allergy|30 tablets:799:45|hsa
Fexofenadine 180 mg|Salve Basics|allergy|30 tablets:1199:30|hsa
Honey Lemon Throat Lozenges|Salve Basics|throat|30 lozenges:349:55|hsa
Cherry Throat Lozenges|Salve Basics|throat|30 lozenges:349:0|hsa
Mentholated Vapor Rub|Salve Basics|cough,chest|3.5 oz:599:28|hsa
Zinc Cold Lozenges|NatureWell|cold,immune|25 lozenges:799:22|
Cool Mist Humidifier|WarmWell|humidifier,device|1 gallon:3999:8|hsa
Nasal Breathing Strips|Salve Basics|nasal,sleep|30 strips:999:30|hsa
Guaifenesin 400 mg Chest Congestion|Salve Basics|chest,cough|30 tablets:699:24|hsa
Children's Cough & Cold Syrup|Salve Basics|kids,cough|4 fl oz:749:16|hsa
Sinus Rinse Kit|Salve Basics|sinus,nasal|Kit with 50 packets:1299:18|hsa
Allergy Eye Drops|Salve Basics|allergy,eye|0.5 fl oz:899:20|hsa
Ear Drops for Swimmers|Salve Basics|ear|1 fl oz:599:14|hsa
Sore Throat Spray|Salve Basics|throat|6 fl oz:649:19|hsa`,
	"monitors": `Upper Arm Blood Pressure Monitor|VitalCheck|blood-pressure,monitor|Standard cuff:4999:15,Large cuff:5499:6|hsa
Wrist Blood Pressure Monitor|VitalCheck|blood-pressure,monitor|Standard:3499:12|hsa
Digital Thermometer|VitalCheck|thermometer,fever|Standard:799:50|hsa
No-Touch Forehead Thermometer|VitalCheck|thermometer,fever|Standard:2999:20|hsa
Ear Thermometer|VitalCheck|thermometer,fever,kids|Standard:3999:9|hsa
Fingertip Pulse Oximeter|VitalCheck|oxygen,monitor|Standard:2499:18|hsa
Digital Bathroom Scale|VitalCheck|weight|Standard:2999:10|
COVID-19 Antigen Home Test|TestNow|test,covid|1 test:999:40,2 tests:1799:35|hsa
Pregnancy Test|TestNow|test,pregnancy|2 tests:1099:25|hsa
Ovulation Test Strips|TestNow|test,fertility|20 strips:1599:15|hsa
Cholesterol Home Test Kit|TestNow|test,cholesterol|3 tests:2499:0|hsa
UTI Test Strips|TestNow|test,urinary|3 strips:999:20|hsa
A1C Home Test Kit|TestNow|test,glucose|2 tests:3999:8|hsa
Peak Flow Meter|VitalCheck|asthma,monitor|Standard:1999:11|hsa
Compressor Nebulizer|VitalCheck|asthma,device|Standard:5999:4|hsa
Dual-Head Stethoscope|VitalCheck|monitor|Black:2499:7|
Replacement Blood Pressure Cuff|VitalCheck|blood-pressure|Large:1999:9|hsa
Weekly Pill Organizer|DailyAid|pill-organizer|7-day:499:60,7-day AM/PM:799:40|
Pill Splitter|DailyAid|pill-organizer|Standard:499:45|
Medication Reminder Timer Cap|DailyAid|pill-organizer|Standard:1499:0|`,
	"skin-care": `Hydrocortisone 1% Cream|Salve Basics|itch,eczema|1 oz:449:40,2 oz:749:22|hsa
Sunscreen Lotion SPF 30|SunSafe|sun|8 fl oz:899:30|hsa
Sunscreen Lotion SPF 50|SunSafe|sun|8 fl oz:999:25|hsa
Fragrance-Free Moisturizing Lotion|Salve Basics|dry-skin|16 fl oz:899:35|
Eczema Relief Cream|Salve Basics|eczema,itch|5 oz:1299:18|hsa
Diaper Rash Cream|Salve Basics|baby|4 oz:699:27|hsa
Lip Balm SPF 15|SunSafe|lip,sun|2 sticks:399:50|hsa
Aloe Vera Gel|SunSafe|sun,burn|8 oz:599:30|
Calamine Lotion|Salve Basics|itch|6 fl oz:449:20|hsa
Clotrimazole Antifungal Cream 1%|Salve Basics|antifungal|1 oz:699:24|hsa
Benzoyl Peroxide Acne Gel 5%|Salve Basics|acne|1.5 oz:799:0|hsa
Urea 40% Foot Cream|Salve Basics|foot-care,dry-skin|3.5 oz:1199:15|hsa
Silicone Scar Gel|Salve Basics|scar|15 g:1999:10|hsa
Skin Barrier Cream|Salve Basics|barrier,incontinence|4 oz:899:16|hsa
Hand Sanitizer 70% Alcohol|Salve Basics|hygiene|8 fl oz:349:80|`,
}
