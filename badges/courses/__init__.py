"""Courses as LTI platforms show them: accepted launches, the people of a course, awards
made inside a course and the grades those awards owe to the course's gradebook.
"""
