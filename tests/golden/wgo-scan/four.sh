# Sourced after setup.sh: four welfare orders, each verified on 2025-12-11.
{
	app 1 "রহিমা খাতুন" "Rahima Khatun" 1000000001 01711000001 1000000000001 1970-01-05
	app 2 "ফাতেমা আক্তার" "Fatema Akter" 1000000002 01711000002 1000000000002 1975-03-21
	app 3 "নাজমা বেগম" "Najma Begum" 1000000003 01711000003 1000000000003 1968-07-07
	app 4 "আমেনা খাতুন" "Amena Khatun" 1000000004 01711000004 1000000000004 1950-07-01
} | issue >orders.jsonl
for o in 1 2 3 4; do ver $o 2025-12-11; done >verifications.jsonl
