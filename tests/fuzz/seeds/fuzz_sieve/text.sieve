require ["vacation"];
vacation :days 3 :from "Anna <anna@uni-potsdam.de>" text:
Away.
..
.
;
if not anyof (size :over 1M, exists "x") { redirect :copy "a@b.example"; } else { discard; stop; }
