"""Regulatory duties of a channelling lender (issue 15, item 6).

- ``debtor_check``: before approval, the other program and productive loans of the same
  national ID number (NIK) anywhere on the platform, and the KUR rules they trip.
- ``layouts``: the one place declaring every column of every regulatory file (name, source
  field, format); a bank maps our files to the official layouts there.
- ``files``: the files themselves (debtors, disbursements, monthly outstanding, and the
  credit-bureau facility report), generated in SQL and streamed as CSV.
"""
