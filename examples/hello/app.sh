#!/bin/sh
cat /app/greeting.txt /app/built.txt
